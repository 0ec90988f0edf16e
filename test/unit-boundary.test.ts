// `npm run test:unit` runs src/**/*.test.ts and promises no server, no socket, no database and no
// child process there: this keeps the promise. A test that needs one of those lives under test/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { REPO } from './helpers/server.js';

const FORBIDDEN: Array<[RegExp, string]> = [
  [/from '[./]*test\/helpers\/server\.js'/, 'test/helpers/server.ts (a real server)'],
  [/from '[./]*test\/helpers\/(databases|own-postgres|cluster|cli)\.js'/, 'a database or process helper'],
  [/from 'node:(child_process|http|https|net|dgram)'/, 'sockets or child processes'],
  [/from '(pg|better-sqlite3|ioredis)'/, 'a database driver'],
  [/\b(openDatabase|createRuntime|startServer|startTestServer)\(/, 'a database or a server'],
  [/\.listen\(/, 'a listening socket'],
];

export function unitTestViolations(file: string, text: string): string[] {
  return FORBIDDEN.filter(([re]) => re.test(text)).map(([, what]) => `${file}: uses ${what}`);
}

it('unit tests under src/ use no server, socket, database or child process', () => {
  const files = readdirSync(join(REPO, 'src'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.ts'));
  assert.ok(files.length > 40, `only ${files.length} unit test files found`);
  const violations = files.flatMap((f) => unitTestViolations(f, readFileSync(join(REPO, 'src', f), 'utf8')));
  assert.deepEqual(violations, []);
});

it('the check recognises each kind of violation (so the empty list above means something)', () => {
  assert.deepEqual(
    [
      "import { startTestServer } from '../../../test/helpers/server.js';",
      "import { describeEachDatabase } from '../../test/helpers/databases.js';",
      "import { spawn } from 'node:child_process';",
      "import pg from 'pg';",
      'const rt = await createRuntime(config);',
      'server.listen(0);',
    ].map((t) => unitTestViolations('x.test.ts', t).length),
    [1, 1, 1, 1, 1, 1],
  );
});
