// npm run fuzz: drives FUZZ_CASES (default 10,000) hostile requests from test/fuzz/fuzz-cases.ts
// against a separate `modelgate serve --demo` process on a real port, then reports counts. Fails
// (exit 1) on any 2xx/3xx/5xx answer, a crash of the server, or any change of state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { spawnListening } from './serve-process.js';
import { EXAMPLE } from '../test/owasp/setup.js';
import { fuzzCases, send, snapshot, type FuzzCase } from '../test/fuzz/fuzz-cases.js';

const CASES = Number(process.env.FUZZ_CASES ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;

const home = mkdtempSync(join(tmpdir(), 'modelgate-fuzz-'));
const adminKey = generateApiKey().key;
const { child, url: base } = await spawnListening(['dist/cli/index.js', 'serve', '--demo', '--port', '0'], {
  MODELGATE_HOME: home,
  MODELGATE_ADMIN_KEY: adminKey,
  MODELGATE_LOG_LEVEL: 'warn',
  MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0',
  MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '0',
  MODELGATE_RATE_LIMIT_ADMIN_PER_MINUTE: '0',
});
let crashed: string | undefined;
child.on('exit', (code, signal) => (crashed = `server exited (code ${code}, signal ${signal})`));

const cases = fc.sample(fuzzCases(EXAMPLE.instances[0]!), { numRuns: CASES, seed: SEED });
const byStatus = new Map<number, number>();
const byKind = new Map<string, number>();
const bad: Array<{ status: number | string; c: FuzzCase }> = [];
const started = performance.now();
const before = await snapshot(base, adminKey);

let next = 0;
async function worker(): Promise<void> {
  while (next < cases.length && !crashed) {
    const c = cases[next++]!;
    byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
    let status: number | string;
    try {
      status = await send(base, adminKey, c);
    } catch (err) {
      status = `connection error: ${(err as Error).message}`;
    }
    if (typeof status === 'number') byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (typeof status !== 'number' || status < 400 || status >= 500) bad.push({ status, c });
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
const seconds = (performance.now() - started) / 1000;
const after = crashed ? before : await snapshot(base, adminKey);
const stateChanged = after !== before;
child.kill('SIGTERM');
rmSync(home, { recursive: true, force: true });

const count = (pred: (s: number) => boolean) =>
  [...byStatus].filter(([s]) => pred(s)).reduce((a, [, n]) => a + n, 0);
console.log(
  `fuzz: ${cases.length} cases in ${seconds.toFixed(1)} s against a separate server (seed ${SEED})`,
);
console.log(
  `  by status: ${[...byStatus]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ')}`,
);
console.log(
  `  by kind:   ${[...byKind]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')}`,
);
console.log(`  4xx: ${count((s) => s >= 400 && s < 500)}`);
console.log(`  5xx: ${count((s) => s >= 500)}`);
console.log(`  accepted (2xx/3xx): ${count((s) => s < 400)}`);
console.log(`  crashes: ${crashed ? 1 : 0}${crashed ? ` (${crashed})` : ''}`);
console.log(`  state changes: ${stateChanged ? 1 : 0}`);
for (const b of bad.slice(0, 5)) {
  console.log(
    `  counterexample (${b.status}): ${JSON.stringify({ ...b.c, body: String(b.c.body).slice(0, 200) })}`,
  );
}
process.exit(bad.length > 0 || crashed || stateChanged ? 1 : 0);
