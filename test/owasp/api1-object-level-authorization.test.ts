// OWASP API1:2023 Broken Object Level Authorization. modelgate's per-principal objects are API
// keys, audit events and Idempotency-Key records; models are shared by design (any predict
// credential may call any model). Each object is reachable only by the principals it belongs to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw, SuiteScope } from '../helpers/server.js';
import { demoServer, EXAMPLE_BODY, json, type SecuredServer } from './setup.js';

describe('API1 object level authorization', () => {
  const scope = new SuiteScope();
  let s: SecuredServer;
  before(async () => {
    s = await demoServer(scope);
  });
  after(() => scope.run());

  it('does not let a predict key see or revoke any key, its own included', async () => {
    const own = (await s.admin.listKeys()).find((k) => k.name === 'app')!;
    for (const [method, path] of [
      ['GET', '/v1/keys'],
      ['DELETE', `/v1/keys/${own.id}`],
    ] as const) {
      const r = await raw(s, method, path, { key: s.predictKey });
      assert.equal(r.status, 403);
    }
    assert.equal((await s.admin.listKeys()).find((k) => k.id === own.id)!.revoked_at, null);
  });

  it("keeps one principal's Idempotency-Key records from another principal", async () => {
    const other = (await s.admin.createKey('other-app', ['predict'])).key;
    const send = (key: string, body: string) =>
      raw(s, 'POST', '/v1/models/breast-cancer/predict', {
        key,
        body,
        headers: { ...json, 'idempotency-key': '"shared-key-1"' },
      });
    const first = await send(s.predictKey, EXAMPLE_BODY);
    assert.equal(first.status, 200);
    // the same key value from another principal is another record: no replay of the first's answer
    const second = await send(other, EXAMPLE_BODY);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), null);
    assert.notEqual(second.json.prediction_id, first.json.prediction_id);
  });

  it('does not let a read key page through the audit log', async () => {
    const r = await raw(s, 'GET', '/v1/audit?limit=500', { key: s.readKey });
    assert.equal(r.status, 403);
    assert.equal(r.json.events, undefined);
  });
});
