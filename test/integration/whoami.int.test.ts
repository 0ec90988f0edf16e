// GET /v1/whoami: any valid credential learns its principal and what it may do (the web console
// asks it at sign-in, to show only the actions the credential allows). Every answer is checked
// against the published OpenAPI document (test/helpers/contract.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIssuer } from '../helpers/jwt.js';
import { raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

describe('GET /v1/whoami', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => {
    s = await startTestServer(scope);
  });
  after(() => scope.run());

  it('tells any valid credential its principal, scopes and what they allow', async () => {
    const me = await s.admin.whoami();
    assert.equal(me.kind, 'api_key');
    assert.deepEqual(me.scopes, ['admin']);
    assert.deepEqual(me.effective_scopes, ['predict', 'read', 'admin']);
    assert.match(me.id, /^key:[A-Za-z0-9]+$/);

    const read = await s.admin.createKey('dashboard', ['read']);
    const predict = await s.admin.createKey('checkout', ['predict']);
    const asRead = await s.client(read.key).whoami();
    assert.deepEqual(
      { id: asRead.id, name: asRead.name, scopes: asRead.scopes, effective: asRead.effective_scopes },
      { id: `key:${read.id}`, name: 'dashboard', scopes: ['read'], effective: ['read'] },
    );
    // a predict-only key may ask too (it cannot read anything else)
    assert.deepEqual((await s.client(predict.key).whoami()).effective_scopes, ['predict']);
    assert.equal((await raw(s, 'GET', '/v1/models', { key: predict.key })).status, 403);
  });

  it('refuses a missing, unknown or revoked credential, and is never cached', async () => {
    assert.equal((await raw(s, 'GET', '/v1/whoami', { key: null })).status, 401);
    const k = await s.admin.createKey('gone', ['read']);
    const ok = await raw(s, 'GET', '/v1/whoami', { key: k.key });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    await s.admin.revokeKey(k.id);
    const revoked = await raw(s, 'GET', '/v1/whoami', { key: k.key });
    assert.equal(revoked.status, 401);
    assert.equal(revoked.json.code, 'UNAUTHENTICATED');
  });

  it('is documented as open to any credential', async () => {
    const doc = (await raw(s, 'GET', '/openapi.json', { key: null })).json as unknown as {
      paths: Record<string, Record<string, { 'x-modelgate-scope'?: string; security?: unknown[] }>>;
    };
    const op = doc.paths['/v1/whoami']!.get!;
    assert.equal(op['x-modelgate-scope'], 'any');
    assert.equal(op.security?.length, 2);
  });

  it('names a bearer token (JWT) as such, with the scopes of its claim', async (t) => {
    const issuer = await startIssuer(t);
    const js = await startTestServer(t, { env: issuer.env() });
    const token = await issuer.sign({ sub: 'alice', scope: 'read admin' });
    const me = await js.client(token).whoami();
    assert.deepEqual(me, {
      id: 'jwt:alice',
      name: 'alice',
      kind: 'jwt',
      scopes: ['read', 'admin'],
      effective_scopes: ['predict', 'read', 'admin'],
    });
  });
});
