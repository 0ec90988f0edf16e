import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CLAIM_LOCK_MS } from '../../src/http/idempotency.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { DEMO, raw, startTestServer, type TestServer, secretOf } from '../helpers/server.js';

const example = JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
  instances: Array<Record<string, number>>;
};
const json = { 'content-type': 'application/json' };

async function demo(
  t: Parameters<typeof startTestServer>[0],
  dialect: 'sqlite' | 'postgres',
): Promise<TestServer> {
  const s = await startTestServer(t, { dialect });
  await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
  await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  return s;
}

const predict = (s: TestServer, body: unknown, key?: string, path = '/v1/models/breast-cancer/predict') =>
  raw(s, 'POST', path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { ...json, ...(key !== undefined ? { 'idempotency-key': key } : {}) },
  });

describeEachDatabase('Idempotency-Key over HTTP', (dialect) => {
  it('replays a completed predict, marked, even after production moved on', async (t) => {
    const s = await demo(t, dialect);
    const first = await predict(s, example, '"order-42"');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    await s.admin.promote('breast-cancer', '1.1.0');
    // the same body with other key order and spacing is the same request
    const reordered = JSON.stringify(
      { instances: example.instances.map((i) => Object.fromEntries(Object.entries(i).reverse())) },
      null,
      2,
    );
    const retry = await predict(s, reordered, '"order-42"');
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.text, first.text);
    assert.equal(retry.json.version, '1.0.0', 'the version that answered first answers the retry');
    const fresh = await predict(s, example, '"order-43"');
    assert.equal(fresh.json.version, '1.1.0');
  });

  it('answers 422 when the key is reused with another body or path', async (t) => {
    const s = await demo(t, dialect);
    assert.equal((await predict(s, example, '"k-1"')).status, 200);
    const changed = { instances: [{ ...example.instances[0], mean_radius: 10 }] };
    const r = await predict(s, changed, '"k-1"');
    assert.equal(r.status, 422);
    assert.equal(r.json.code, 'IDEMPOTENCY_KEY_REUSED');
    const pinned = await predict(s, example, '"k-1"', '/v1/models/breast-cancer/versions/1.0.0/predict');
    assert.equal(pinned.status, 200, 'another route is another record');
  });

  it('answers 409 with Retry-After while the first request runs (on any replica)', async (t) => {
    const s = await demo(t, dialect);
    const principal = 'key:' + s.adminKey.split('_')[1]!;
    // another replica holds the claim: it is in the shared store, running
    await s.server.runtime.services.idempotency.claim(
      { principal, method: 'POST', route: '/v1/models/:name/predict', key: 'busy' },
      'whatever',
      Date.now(),
      CLAIM_LOCK_MS,
    );
    const r = await predict(s, example, '"busy"');
    assert.equal(r.status, 409);
    assert.equal(r.json.code, 'IDEMPOTENCY_KEY_IN_FLIGHT');
    assert.equal(r.headers.get('retry-after'), '1');
  });

  it('stores nothing for requests rejected before they ran', async (t) => {
    const s = await demo(t, dialect);
    const bad = { instances: [{ ...example.instances[0], mean_radius: 'big' }] };
    assert.equal((await predict(s, bad, '"fix-me"')).status, 422);
    const unauth = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      key: null,
      body: JSON.stringify(example),
      headers: { ...json, 'idempotency-key': '"fix-me"' },
    });
    assert.equal(unauth.status, 401);
    // corrected and authenticated, the same key runs normally
    const ok = await predict(s, example, '"fix-me"');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('idempotent-replayed'), null);
  });

  it('checks the key format', async (t) => {
    const s = await demo(t, dialect);
    for (const key of ['unquoted', '""', `"${'x'.repeat(256)}"`, '"tab\there"', '"a", "b"']) {
      const r = await predict(s, example, key);
      assert.equal(r.status, 400, key);
      assert.equal(r.json.code, 'IDEMPOTENCY_KEY_INVALID');
    }
    assert.equal((await predict(s, example, `"${'x'.repeat(255)}"`)).status, 200);
    assert.equal((await predict(s, example, '"with \\"escaped\\" quotes"')).status, 200);
  });

  it('makes admin mutations safe to retry: one promote, one audit event', async (t) => {
    const s = await demo(t, dialect);
    const promote = () =>
      raw(s, 'POST', '/v1/models/breast-cancer/promote', {
        body: '{"version":"1.1.0"}',
        headers: { ...json, 'idempotency-key': '"deploy-7"' },
      });
    const first = await promote();
    assert.equal(first.status, 200);
    const again = await promote();
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.text, first.text);
    const promotes = (await s.admin.listAudit({ model: 'breast-cancer' })).events.filter(
      (e) => e.action === 'model.promoted',
    );
    assert.equal(promotes.length, 2, '1.0.0 at setup, 1.1.0 once');
  });

  it('replays a registration upload without storing it twice', async (t) => {
    const s = await startTestServer(t, { dialect });
    const upload = async () => {
      const dir = join(DEMO, '1.0.0');
      const form = new FormData();
      form.set('manifest', readFileSync(join(dir, 'manifest.yaml'), 'utf8'));
      form.append('file', new Blob([readFileSync(join(dir, 'model.onnx'))]), 'model.onnx');
      form.append('file', new Blob([readFileSync(join(dir, 'reference.csv'))]), 'reference.csv');
      return raw(s, 'POST', '/v1/models/breast-cancer/versions', {
        body: form,
        headers: { 'idempotency-key': '"register-1"' },
      });
    };
    const first = await upload();
    assert.equal(first.status, 201, first.text);
    const retry = await upload();
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    const registered = (await s.admin.listAudit({})).events.filter(
      (e) => e.action === 'model.version.registered',
    );
    assert.equal(registered.length, 1);
  });

  it('never stores or replays a new API key', async (t) => {
    const s = await startTestServer(t, { dialect });
    const create = () =>
      raw(s, 'POST', '/v1/keys', {
        body: '{"name":"ci","scopes":["predict"]}',
        headers: { ...json, 'idempotency-key': '"key-once"' },
      });
    const first = await create();
    assert.equal(first.status, 201);
    const secret = String(first.json.key);
    const retry = await create();
    assert.equal(retry.status, 409);
    assert.equal(retry.json.code, 'SECRET_NOT_REPLAYED');
    assert.match(retry.json.detail, new RegExp(`created '${String(first.json.id)}'`));
    assert.ok(!retry.text.includes(secretOf(secret)));
    assert.equal((await s.admin.listKeys()).filter((k) => k.name === 'ci').length, 1);
    if (dialect === 'postgres') {
      const rows = await s.server.runtime.db.db.selectFrom('idempotency_keys').select('response').execute();
      assert.ok(!JSON.stringify(rows).includes(secretOf(secret)), 'the secret is not at rest');
    }
  });
});
