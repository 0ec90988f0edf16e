import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ModelgateApiError } from '../../src/client/client.js';
import { generateApiKey } from '../../src/modules/security/api-key.js';
import { apiError, DEMO, raw, startTestServer, secretOf } from '../helpers/server.js';

const example = (
  JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as { instances: unknown[] }
).instances;
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: unknown) => (e instanceof ModelgateApiError ? `${e.status} ${e.code}` : String(e)),
  );

describe('API keys and scopes', () => {
  it('creates an admin key at the first start only, and stores only its hash', async (t) => {
    const s = await startTestServer(t);
    assert.match(s.adminKey, /^mg_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const rows = await s.server.runtime.db.db.selectFrom('api_keys').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.name, 'bootstrap-admin');
    assert.ok(!JSON.stringify(rows).includes(secretOf(s.adminKey)), 'the secret is not stored');
    assert.equal(rows[0]!.key_hash.length, 64);
    const listed = await s.admin.listKeys();
    assert.deepEqual(Object.keys(listed[0]!).sort(), [
      'created_at',
      'created_by',
      'id',
      'name',
      'revoked_at',
      'scopes',
    ]);
  });

  it('lets each scope do its job and nothing else', async (t) => {
    const s = await startTestServer(t);
    const reg = await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', reg.version.version);
    const predictKey = (await s.admin.createKey('app', ['predict'])).key;
    const readKey = (await s.admin.createKey('dashboard', ['read'])).key;
    const p = s.client(predictKey);
    const r = s.client(readKey);

    assert.equal(await code(p.predict('breast-cancer', example as never)), 'OK');
    assert.equal(await code(p.listModels()), '403 FORBIDDEN');
    assert.equal(await code(p.promote('breast-cancer', '1.0.0')), '403 FORBIDDEN');
    assert.equal(await code(p.rollback('breast-cancer')), '403 FORBIDDEN');
    assert.equal(await code(p.registerVersion(join(DEMO, '1.1.0/manifest.yaml'))), '403 FORBIDDEN');
    assert.equal(await code(p.createKey('x', ['admin'])), '403 FORBIDDEN');
    assert.equal(await code(p.listKeys()), '403 FORBIDDEN');
    assert.equal(await code(r.listModels()), 'OK');
    assert.equal(await code(r.getVersion('breast-cancer', '1.0.0')), 'OK');
    assert.equal(await code(r.predict('breast-cancer', example as never)), '403 FORBIDDEN');
    assert.equal(await code(r.verify('breast-cancer', '1.0.0')), '403 FORBIDDEN');
    assert.equal(await code(s.client().listModels()), '401 UNAUTHENTICATED');
    const forbidden = await apiError(p.listModels());
    assert.match(forbidden.detail, /needs the 'read' scope; the credential has predict/);
    assert.equal(
      (await s.admin.getModel('breast-cancer')).versions.length,
      1,
      'the refused registration changed nothing',
    );
  });

  it('stops honouring a revoked key at once', async (t) => {
    const s = await startTestServer(t);
    const created = await s.admin.createKey('short-lived', ['read']);
    const c = s.client(created.key);
    assert.equal(await code(c.listModels()), 'OK');
    const revoked = await s.admin.revokeKey(created.id);
    assert.match(revoked.revoked_at!, /^\d{4}-/);
    assert.equal(await code(c.listModels()), '401 UNAUTHENTICATED');
    assert.equal(await code(s.admin.revokeKey('NoSuchKey123')), '404 API_KEY_NOT_FOUND');
  });

  it('accepts Bearer and X-API-Key, never the URL, and challenges everything else the same way', async (t) => {
    const s = await startTestServer(t);
    const ok = await raw(s, 'GET', '/v1/models', { key: null, headers: { 'x-api-key': s.adminKey } });
    assert.equal(ok.status, 200);
    const cases: Array<[string, Record<string, string>]> = [
      ['query string', {}],
      ['basic auth', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['not a modelgate key', { authorization: 'Bearer sk_live_abc' }],
      ['wrong secret', { authorization: `Bearer ${s.adminKey.slice(0, -4)}AAAA` }],
      ['unknown id', { authorization: `Bearer ${generateApiKey().key}` }],
    ];
    for (const [name, headers] of cases) {
      const r = await raw(s, 'GET', `/v1/models?api_key=${s.adminKey}`, { key: null, headers });
      assert.equal(r.status, 401, name);
      assert.equal(r.json.code, 'UNAUTHENTICATED', name);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="modelgate"', name);
      assert.ok(!r.text.includes(secretOf(s.adminKey)), `${name}: no secret echoed`);
    }
  });

  it('validates key creation', async (t) => {
    const s = await startTestServer(t);
    const bad = await raw(s, 'POST', '/v1/keys', {
      body: JSON.stringify({ name: 'x', scopes: ['root'] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors[0]?.pointer, '/scopes/0');
    const created = await raw(s, 'POST', '/v1/keys', {
      body: JSON.stringify({ name: 'ci', scopes: ['predict', 'read'] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    assert.deepEqual(created.json.scopes, ['predict', 'read']);
  });

  it('takes a bootstrap admin key from the environment or a _FILE, and then generates none', async (t) => {
    const key = generateApiKey().key;
    const fromEnv = await startTestServer(t, { env: { MODELGATE_ADMIN_KEY: key } });
    assert.equal(fromEnv.server.generatedAdminKey, undefined);
    assert.equal(await code(fromEnv.client(key).listKeys()), 'OK');
    assert.equal(
      (await fromEnv.client(key).listKeys()).length,
      0,
      'the bootstrap key is not written to the database',
    );

    const dir = mkdtempSync(join(tmpdir(), 'mg-secret-'));
    writeFileSync(join(dir, 'admin-key'), key + '\n');
    const fromFile = await startTestServer(t, { env: { MODELGATE_ADMIN_KEY_FILE: join(dir, 'admin-key') } });
    assert.equal(fromFile.server.generatedAdminKey, undefined);
    const created = await fromFile.client(key).createKey('svc', ['predict']);
    assert.equal(created.created_by, `key:${key.split('_')[1]}`);
  });
});
