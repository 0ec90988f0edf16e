import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configKeys } from './config-schema.js';
import { replaceConfigTable } from './config-table.js';

it('the README config table equals the one generated from the schema (npm run docs:config)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(replaceConfigTable(readme), readme);
  for (const k of configKeys()) assert.ok(readme.includes(`\`${k.env[0]}\``), `${k.env[0]} is documented`);
});
