// A version held in memory must not go back into production once its stored bytes have changed,
// and a periodic check re-hashes the stored artifacts of loaded versions. On SQLite the file on
// disk is changed, on PostgreSQL the stored chunk rows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeEachDatabase } from '../helpers/databases.js';
import { parse as parseMetrics } from '../helpers/prom-text.js';
import { apiError, DEMO, raw, startTestServer, type TestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';

const demo = (v: string) => join(DEMO, v, 'manifest.yaml');
const example = (
  JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
    instances: Array<Record<string, unknown>>;
  }
).instances;

/** Polls until `check` holds (fails after 30 s): for what happens in the background. */
async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function integrityGauge(s: TestServer, version: string): Promise<number | undefined> {
  const text = (await raw(s, 'GET', '/metrics')).text;
  return parseMetrics(text).value('modelgate_artifact_integrity_ok', { model: 'breast-cancer', version });
}

const integrityFailure = (version: string, sha256: string) =>
  new RegExp(
    `the stored artifact of breast-cancer ${version} \\(model.onnx\\) has SHA-256 [0-9a-f]{64}, but ${sha256} was registered`,
  );

describeEachDatabase('stored artifact integrity', (dialect) => {
  it('refuses a rollback to a previous version kept in memory whose stored bytes changed', async (t) => {
    const s = await startTestServer(t, { dialect });
    const v10 = await s.admin.registerVersion(demo('1.0.0'));
    await s.admin.registerVersion(demo('1.1.0'));
    await s.admin.promote('breast-cancer', '1.0.0');
    await s.admin.promote('breast-cancer', '1.1.0');
    const serving = s.server.runtime.services.serving;
    await until('1.0.0 kept warm as previous', () => serving.cached('breast-cancer', '1.0.0') !== undefined);
    await tamperBlob(s, v10.version.artifact_sha256);

    const refused = await apiError(s.admin.rollback('breast-cancer'));
    assert.equal(refused.status, 409);
    assert.equal(refused.code, 'ARTIFACT_INTEGRITY_FAILED');
    assert.match(refused.detail, integrityFailure('1.0.0', v10.version.artifact_sha256));
    assert.deepEqual((await s.admin.getModel('breast-cancer')).aliases, {
      production: '1.1.0',
      previous: '1.0.0',
    });
    assert.equal((await s.admin.predict('breast-cancer', example)).version, '1.1.0');
    assert.equal(await integrityGauge(s, '1.0.0'), 0, 'the refusal shows in /metrics at once');
  });

  it('refuses promoting a version loaded for pinned requests whose stored bytes changed', async (t) => {
    const s = await startTestServer(t, { dialect });
    await s.admin.registerVersion(demo('1.0.0'));
    const v11 = await s.admin.registerVersion(demo('1.1.0'));
    await s.admin.promote('breast-cancer', '1.0.0');
    assert.equal((await s.admin.predict('breast-cancer', example, { version: '1.1.0' })).version, '1.1.0');
    await tamperBlob(s, v11.version.artifact_sha256);

    const refused = await apiError(s.admin.promote('breast-cancer', '1.1.0'));
    assert.equal(refused.code, 'ARTIFACT_INTEGRITY_FAILED');
    assert.match(refused.detail, integrityFailure('1.1.0', v11.version.artifact_sha256));
    assert.deepEqual((await s.admin.getModel('breast-cancer')).aliases, { production: '1.0.0' });
    assert.equal((await s.admin.predict('breast-cancer', example)).version, '1.0.0');
  });

  it('re-hashes the stored artifacts of loaded versions periodically and reports a change', async (t) => {
    const s = await startTestServer(t, {
      dialect,
      env: { MODELGATE_INTEGRITY_CHECK_INTERVAL_SECONDS: '1' },
    });
    const v10 = await s.admin.registerVersion(demo('1.0.0'));
    await s.admin.promote('breast-cancer', '1.0.0');
    await until('a first check of 1.0.0', async () => (await integrityGauge(s, '1.0.0')) === 1);

    await tamperBlob(s, v10.version.artifact_sha256);
    await until('the check to see the change', async () => (await integrityGauge(s, '1.0.0')) === 0);
    const logged = s.logs.lines.find(
      (l) => l.msg === 'stored artifact no longer matches its registered hash',
    );
    assert.ok(logged, 'logged as an error');
    assert.equal(logged.level, 'error');
    assert.equal(logged.version, '1.0.0');
    // the loaded session was built from the verified bytes: it keeps serving
    const answer = await s.admin.predict('breast-cancer', example);
    assert.equal(answer.version, '1.0.0');
    assert.equal(answer.artifact_sha256, v10.version.artifact_sha256);
  });
});
