// `modelgate models readiness` and GET /v1/models/{name}/versions/{version}/readiness (issue 14,
// item 8): the go/no-go checklist against a real server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { cliInProcess } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';

const POLICY = 'roc_auc >= 0.95; roc_auc >= production - 0.01';
const TEST_CSV = join(DEMO, 'test.csv');

interface ReadinessJson {
  go: boolean;
  checks: Array<{ name: string; verdict: string; reason: string }>;
}
const verdicts = (r: ReadinessJson) => Object.fromEntries(r.checks.map((c) => [c.name, c.verdict]));

it('go for a good version; no-go when the policy refuses or the artifact was tampered with', async (t) => {
  const s = await startTestServer(t, { env: { MODELGATE_PROMOTION_POLICY: POLICY } });
  for (const v of ['1.1.0', '1.2.0']) await s.admin.registerVersion(join(DEMO, v, 'manifest.yaml'));
  await s.admin.evaluate('breast-cancer', '1.1.0', TEST_CSV, 'target');
  await s.admin.evaluate('breast-cancer', '1.2.0', TEST_CSV, 'target');
  const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };

  const good = await s.admin.readiness('breast-cancer', '1.1.0');
  assert.equal(good.go, true);
  assert.deepEqual(verdicts(good), {
    'artifact hash': 'pass',
    'smoke tests': 'pass',
    'promotion policy': 'pass',
    'drift reference': 'pass',
    'model card': 'pass',
    labels: 'pass',
    // nothing in production yet
    'rollback target': 'warn',
    'deployment window': 'pass',
  });
  const text = await cliInProcess(['models', 'readiness', 'breast-cancer', '1.1.0'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /│ smoke tests +│ pass +│ 3 smoke test\(s\) pass on the loaded version/);
  assert.match(text.stdout, /│ rollback target +│ WARN +│ nothing to roll back to/);
  assert.match(text.stdout, /breast-cancer 1\.1\.0: GO \(0 failed, 1 warning\)\n$/);

  // the degraded 1.2.0: ROC-AUC 0.32 on the test set
  const bad = await cliInProcess(['models', 'readiness', 'breast-cancer', '1.2.0', '--json'], env);
  assert.equal(bad.code, 1);
  const body = JSON.parse(bad.stdout) as ReadinessJson;
  assert.equal(body.go, false);
  const policy = body.checks.find((c) => c.name === 'promotion policy')!;
  assert.equal(policy.verdict, 'fail');
  assert.match(policy.reason, /roc_auc 0\.3\d*/);

  const v = await s.admin.getVersion('breast-cancer', '1.1.0');
  await tamperBlob(s, v.artifact_sha256);
  const tampered = await cliInProcess(['models', 'readiness', 'breast-cancer', '1.1.0'], env);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stdout, /│ artifact hash +│ FAIL +│ SHA-256 mismatch: model\.onnx/);
  assert.match(tampered.stdout, /breast-cancer 1\.1\.0: NO-GO \(\d failed/);
  // the model card carries the same checklist
  const card = await s.admin.card('breast-cancer', '1.1.0');
  assert.match(
    card,
    /## Deployment readiness[\s\S]*NO-GO for production[\s\S]*\| artifact hash \| fail \| SHA-256 mismatch: model\.onnx \|/,
  );
  const fields = await s.admin.cardData('breast-cancer', '1.1.0');
  assert.equal(fields.readiness?.go, false);

  const missing = await cliInProcess(['models', 'readiness', 'breast-cancer', '9.9.9'], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: VERSION_NOT_FOUND: /);
});

it('no-go inside a freeze; the production version names its previous as rollback target', async (t) => {
  const now = Date.now();
  const freeze = `${new Date(now - 3_600_000).toISOString()}/${new Date(now + 3_600_000).toISOString()}`;
  const s = await startTestServer(t, { demo: true, env: { MODELGATE_ROLLOUT_FREEZES: freeze } });
  await s.admin.promote('breast-cancer', '1.1.0');
  const r = await s.admin.readiness('breast-cancer', '1.1.0');
  assert.equal(r.go, false);
  const window = r.checks.find((c) => c.name === 'deployment window')!;
  assert.equal(window.verdict, 'fail');
  assert.match(window.reason, /rollouts are frozen until/);
  const rollback = r.checks.find((c) => c.name === 'rollback target')!;
  assert.deepEqual(
    [rollback.verdict, rollback.reason],
    ['pass', 'breast-cancer@1.0.0 (previous) to roll back to'],
  );
});
