// Runs every *.test.ts under src/ and test/ with Node's test runner (through tsx). Extra
// arguments filter files by substring: `npm test -- registry predict`. With --unit (`npm run
// test:unit`) only the unit tests under src/: no server, no socket, no database, no child process
// (test/unit-boundary.test.ts keeps them so), so PostgreSQL is neither needed nor asked for.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const unit = process.argv.includes('--unit');
const filters = process.argv.slice(2).filter((a) => a !== '--unit');
const files = (unit ? ['src'] : ['src', 'test'])
  .flatMap((root) => readdirSync(root, { recursive: true }).map((f) => join(root, String(f))))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const pg = process.env.MODELGATE_TEST_DATABASE_URL;
if (unit) console.log(`unit tests: ${files.length} files under src/`);
else if (pg) console.log(`PostgreSQL tests: enabled (${pg.replace(/\/\/[^@/]*@/, '//***@')})`);
else if (process.env.CI === 'true') {
  console.error(
    'PostgreSQL tests: MODELGATE_TEST_DATABASE_URL is not set, and under CI=true they may not be skipped',
  );
  process.exit(1);
} else console.log('PostgreSQL tests: SKIPPED (set MODELGATE_TEST_DATABASE_URL=postgres://... to run them)');

// The runner and everything it starts (test files, servers, replicas, haproxy) get a process
// group of their own, so that a deadline or a Ctrl-C stops all of it: --test-timeout cancels a
// test, but a test file whose event loop a leftover child process keeps alive never ends, and
// once held a CI run until its 90-minute limit.
const deadlineMinutes = Number(process.env.MODELGATE_TEST_DEADLINE_MINUTES ?? 60);
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    '--test-timeout=120000',
    ...files,
  ],
  { stdio: 'inherit', detached: true },
);
const killGroup = (signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => killGroup(signal));
const deadline = setTimeout(() => {
  console.error(
    `\nthe tests did not finish within ${deadlineMinutes} minutes (MODELGATE_TEST_DEADLINE_MINUTES):` +
      ' a test file is hanging, most likely on a child process it did not stop; stopping them all',
  );
  killGroup('SIGKILL');
}, deadlineMinutes * 60_000);
deadline.unref();
child.on('exit', (code, signal) => {
  // whatever the runner left behind in its group goes with it
  killGroup('SIGKILL');
  process.exit(code ?? (signal ? 1 : 0));
});
