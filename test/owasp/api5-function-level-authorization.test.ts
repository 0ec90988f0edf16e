// OWASP API5:2023 Broken Function Level Authorization: each admin function refuses a predict or
// read credential, and a revoked key stops working at the next request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw, SuiteScope } from '../helpers/server.js';
import { demoServer, EXAMPLE_BODY, json, type SecuredServer } from './setup.js';

describe('API5 function level authorization', () => {
  const scope = new SuiteScope();
  let s: SecuredServer;
  before(async () => {
    s = await demoServer(scope);
  });
  after(() => scope.run());

  const adminCalls: Array<[string, string, string | undefined]> = [
    ['GET', '/v1/audit', undefined],
    ['GET', '/v1/keys', undefined],
    ['POST', '/v1/keys', '{"name":"x","scopes":["admin"]}'],
    ['DELETE', '/v1/keys/AAAAAAAAAAAA', undefined],
    ['POST', '/v1/models/breast-cancer/promote', '{"version":"1.1.0"}'],
    ['POST', '/v1/models/breast-cancer/rollback', '{}'],
    ['PUT', '/v1/models/breast-cancer/aliases/staging', '{"version":"1.1.0"}'],
    ['POST', '/v1/models/breast-cancer/versions/1.0.0/verify', undefined],
  ];

  for (const [method, path, body] of adminCalls) {
    it(`${method} ${path} refuses predict and read keys with 403, changing nothing`, async () => {
      const auditBefore = (await s.admin.listAudit({ limit: 500 })).events.length;
      for (const key of [s.predictKey, s.readKey]) {
        const r = await raw(s, method, path, { key, ...(body ? { body, headers: json } : {}) });
        assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
        assert.equal(r.json.code, 'FORBIDDEN');
      }
      assert.equal((await s.admin.listAudit({ limit: 500 })).events.length, auditBefore);
      assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.0.0');
    });
  }

  it('refuses registration (multipart) to a predict key before reading the upload', async () => {
    const form = new FormData();
    form.set('manifest', 'name: breast-cancer\nversion: 9.9.9\n');
    const r = await raw(s, 'POST', '/v1/models/breast-cancer/versions', { key: s.predictKey, body: form });
    assert.equal(r.status, 403);
    assert.equal((await s.admin.listVersions('breast-cancer')).length, 2);
  });

  it('lets a read key read models but not predict', async () => {
    assert.equal((await raw(s, 'GET', '/v1/models', { key: s.readKey })).status, 200);
    const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      key: s.readKey,
      body: EXAMPLE_BODY,
      headers: json,
    });
    assert.equal(r.status, 403);
  });

  it('stops a revoked key at its very next request', async () => {
    const { id, key } = await s.admin.createKey('short-lived', ['predict']);
    const predict = () =>
      raw(s, 'POST', '/v1/models/breast-cancer/predict', { key, body: EXAMPLE_BODY, headers: json });
    assert.equal((await predict()).status, 200); // now cached by the authenticator
    await s.admin.revokeKey(id);
    const r = await predict();
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'UNAUTHENTICATED');
  });
});
