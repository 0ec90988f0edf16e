// The version lifecycle as a user types it: models deprecate|archive|restore, the listings, gc.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';

it('deprecates, archives, lists, refuses, garbage-collects (dry run, then --apply) and restores from the CLI', async (t) => {
  const s = await startTestServer(t);
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) await s.admin.registerVersion(join(DEMO, v, 'manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
  const by = `key:${s.adminKey.split('_')[1]}`;

  const dep = await cli(['models', 'deprecate', 'breast-cancer', '1.1.0', '--reason', 'use 1.0.0'], env);
  assert.equal(dep.code, 0, dep.stderr);
  assert.match(
    dep.stdout,
    new RegExp(`^breast-cancer 1\\.1\\.0: deprecated since \\S+Z by ${by}: use 1\\.0\\.0\\n$`),
  );

  const arch = await cli(['models', 'archive', 'breast-cancer', '1.2.0', '--reason', 'ROC-AUC 0.32'], env);
  assert.equal(arch.code, 0, arch.stderr);
  const refused = await cli(['models', 'archive', 'breast-cancer', '1.0.0', '--reason', 'old'], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: VERSION_IN_USE: breast-cancer 1\.0\.0 is production/);
  const promote = await cli(['models', 'promote', 'breast-cancer', '1.2.0'], env);
  assert.match(promote.stderr, /^error: VERSION_ARCHIVED: breast-cancer 1\.2\.0 is archived/);
  const noReason = await cli(['models', 'archive', 'breast-cancer', '1.2.0'], env);
  assert.match(noReason.stderr, /--reason/);

  const list = await cli(['models', 'list'], env);
  assert.match(list.stdout, /│ deprecated │ archived │/);
  assert.match(list.stdout, /│ breast-cancer │ 1\.0\.0 +│ +│ +│ 3 +│ 1\.2\.0 +│ 1 +│ 1 +│/);
  const show = await cli(['models', 'show', 'breast-cancer'], env);
  assert.match(show.stdout, /│ 1\.2\.0 +│[^\n]*│ archived since \S+ by \S+: ROC-AUC 0\.32 +│/);
  assert.match(show.stdout, /│ 1\.0\.0 +│[^\n]*│ active +│/);
  const one = await cli(['models', 'show', 'breast-cancer', '1.1.0'], env);
  assert.match(one.stdout, /^lifecycle: deprecated since \S+ by \S+: use 1\.0\.0$/m);

  const dry = await cli(['gc', '--older-than', '0s'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /│ breast-cancer │ 1\.2\.0 +│ \S+ +│ 5563 +│/);
  assert.match(
    dry.stdout,
    /would delete 1 blob\(s\), 5563 bytes, of 1 version\(s\) archived before \S+ \(dry run: --apply to delete\)\n$/,
  );
  const apply = await cli(['gc', '--older-than', '0s', '--apply', '--json'], env);
  const r = JSON.parse(apply.stdout) as { applied: boolean; bytes: number };
  assert.deepEqual([r.applied, r.bytes], [true, 5563]);
  const young = await cli(['gc'], env);
  assert.match(young.stdout, /would delete 0 blob\(s\), 0 bytes, of 0 version\(s\)/);
  const bad = await cli(['gc', '--older-than', 'a month'], env);
  assert.match(bad.stderr, /--older-than takes a duration such as 12h, 30d or 2w, not 'a month'/);

  const back = await cli(['models', 'restore', 'breast-cancer', '1.2.0', '--reason', 'want it'], env);
  assert.equal(back.code, 1);
  assert.match(back.stderr, /^error: ARTIFACT_COLLECTED: /);
  const restored = await cli(['models', 'restore', 'breast-cancer', '1.1.0', '--reason', 'fixed'], env);
  assert.match(restored.stdout, /^breast-cancer 1\.1\.0: active since \S+ by \S+: fixed\n$/);
});
