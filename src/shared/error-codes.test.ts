import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES } from './error-codes.js';

it('docs/errors.md lists exactly the error codes of the code, with their statuses', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const table = doc.split('<!-- error-codes:start -->')[1]!.split('<!-- error-codes:end -->')[0]!;
  const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [
    m[1],
    Number(m[2]),
  ]);
  const actual = Object.entries(ERROR_CODES).map(([code, { status }]) => [code, status]);
  assert.deepEqual(documented, actual);
});
