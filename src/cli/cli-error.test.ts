import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { LocalErrorCode } from '../client/local-files.js';
import { CLI_ERROR_CODES, type CliErrorCode } from './cli-error.js';

it('docs/errors.md lists exactly the CLI error codes, with their meanings', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const table = doc.split('<!-- cli-error-codes:start -->')[1]!.split('<!-- cli-error-codes:end -->')[0]!;
  const documented = [...table.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(documented, Object.entries(CLI_ERROR_CODES));
});

it("the client's local-file codes are CLI codes (the CLI prints them as they are)", () => {
  const local: Record<LocalErrorCode, true> = {
    FILE_NOT_FOUND: true,
    FILE_ERROR: true,
    MANIFEST_INVALID: true,
    INPUT_INVALID: true,
  };
  for (const code of Object.keys(local)) assert.ok(code in CLI_ERROR_CODES, code);
  const _typed: CliErrorCode[] = Object.keys(local) as LocalErrorCode[];
  assert.equal(_typed.length, 4);
});
