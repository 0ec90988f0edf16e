// A running replica stays ready while the database is unavailable (ADR 0009, revised): with N
// replicas on one database, an unready-on-database-down rule takes all of them out of the load
// balancer at once, although each still serves predictions from loaded models and cached keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { raw, startTestServer } from '../helpers/server.js';

describe('readiness during a database outage', () => {
  it('/ready and /v2/health/ready stay 200 and note the database; it clears when the database returns', async (t) => {
    const s = await startTestServer(t, { demo: true });
    const services = s.server.runtime.services;
    const real = services.database;
    assert.deepEqual((await raw(s, 'GET', '/ready', { key: null })).json.database, 'available');

    const reason = 'database unavailable since 2026-11-30T16:00:00.000Z (connection refused)';
    services.database = { unavailable: () => reason };
    const ready = await raw(s, 'GET', '/ready', { key: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.json.ready, true);
    assert.equal(ready.json.database, 'unavailable');
    assert.equal(ready.json.database_reason, reason);
    assert.equal(ready.json.reason, undefined, 'not a reason to be unready');
    const v2 = await raw(s, 'GET', '/v2/health/ready', { key: null });
    assert.equal(v2.status, 200);
    assert.deepEqual(v2.json, { ready: true });

    services.database = real;
    const back = await raw(s, 'GET', '/ready', { key: null });
    assert.equal(back.status, 200);
    assert.equal(back.json.database, 'available');
    assert.equal(back.json.database_reason, undefined);
  });

  it('a server shutting down is still unready, whatever the database says', async (t) => {
    const s = await startTestServer(t, { demo: true });
    const services = s.server.runtime.services;
    services.shuttingDown = () => true;
    const ready = await raw(s, 'GET', '/ready', { key: null });
    assert.equal(ready.status, 503);
    assert.equal(ready.json.ready, false);
    assert.equal(ready.json.database, 'available');
  });
});
