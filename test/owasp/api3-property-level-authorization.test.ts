// OWASP API3:2023 Broken Object Property Level Authorization: responses expose no key hashes,
// secrets or internal paths; request bodies with fields the API does not accept are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw, SuiteScope, secretOf } from '../helpers/server.js';
import { demoServer, EXAMPLE, json, type SecuredServer } from './setup.js';

describe('API3 property level authorization', () => {
  const scope = new SuiteScope();
  let s: SecuredServer;
  before(async () => {
    s = await demoServer(scope);
  });
  after(() => scope.run());

  it('never exposes key hashes, secrets or server paths in any read response', async () => {
    const hashes = (await s.server.runtime.db.db.selectFrom('api_keys').select('key_hash').execute()).map(
      (r) => r.key_hash,
    );
    const reads = [
      '/v1/keys',
      '/v1/models',
      '/v1/models/breast-cancer',
      '/v1/models/breast-cancer/versions',
      '/v1/models/breast-cancer/versions/1.0.0',
      '/v1/audit?limit=500',
      '/ready',
    ];
    for (const path of reads) {
      const r = await raw(s, 'GET', path);
      assert.equal(r.status, 200, path);
      for (const h of hashes) assert.ok(!r.text.includes(h), `${path} leaks a key hash`);
      assert.ok(!r.text.includes(s.home), `${path} leaks the data directory`);
      assert.ok(!r.text.includes(process.cwd()), `${path} leaks a server path`);
      assert.ok(!/key_hash|password|secret/i.test(r.text), `${path} names a secret field`);
      assert.ok(!r.text.includes(secretOf(s.predictKey)), `${path} leaks a key`);
    }
  });

  const unknownFields: Array<[string, string, unknown]> = [
    ['POST', '/v1/models/breast-cancer/predict', { ...EXAMPLE, version: '1.1.0' }],
    ['POST', '/v1/models/breast-cancer/predict', { instances: [{ ...EXAMPLE.instances[0], is_admin: 1 }] }],
    ['POST', '/v1/keys', { name: 'x', scopes: ['read'], id: 'chosen-by-client' }],
    ['POST', '/v1/keys', { name: 'x', scopes: ['read'], key_hash: '00' }],
    ['POST', '/v1/models/breast-cancer/promote', { version: '1.1.0', force: true }],
  ];
  for (const [method, path, body] of unknownFields) {
    it(`refuses unknown fields: ${method} ${path} ${JSON.stringify(body).slice(0, 60)}`, async () => {
      const keysBefore = (await s.admin.listKeys()).length;
      const r = await raw(s, method, path, { body: JSON.stringify(body), headers: json });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.code, 'VALIDATION_FAILED');
      assert.match(r.json.errors[0]!.detail, /not an accepted field|not a feature/);
      assert.equal((await s.admin.listKeys()).length, keysBefore);
      assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.0.0');
    });
  }
});
