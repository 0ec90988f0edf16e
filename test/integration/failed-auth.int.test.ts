// Failed authentication is throttled per client address, before credentials are checked: the
// cheapest refusal comes first (issue 12: 9,169 bad-key requests per second were all answered 401,
// each unknown key id costing a database read).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey } from '../../src/modules/security/api-key.js';
import { FakeClock } from '../../src/shared/clock.js';
import { parse } from '../helpers/prom-text.js';
import { raw, startTestServer, type TestServer } from '../helpers/server.js';

const badKey = () => generateApiKey().key;

/** Counts the requests whose credentials were checked (a hash, and a database read for an unknown id). */
function countAuthentications(s: TestServer): { calls: number } {
  const counter = { calls: 0 };
  const auth = s.server.runtime.services.auth;
  const authenticate = auth.authenticate.bind(auth);
  auth.authenticate = (...args) => {
    counter.calls++;
    return authenticate(...args);
  };
  return counter;
}

const from = (address: string) => ({ 'x-forwarded-for': address });

describe('failed-authentication throttle', () => {
  it('refuses an address with 429 after N failures a minute, before checking its credentials, until the minute ends', async (t) => {
    const clock = new FakeClock(Date.now());
    const s = await startTestServer(t, {
      clock,
      env: { MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3', MODELGATE_TRUST_PROXY: 'loopback' },
    });
    const checked = countAuthentications(s);
    const attacker = from('203.0.113.7');

    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await raw(s, 'GET', '/v1/models', { key: badKey(), headers: attacker })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401]);
    assert.equal(checked.calls, 3);

    clock.advance(20_000);
    const throttled = await raw(s, 'GET', '/v1/models', { key: badKey(), headers: attacker });
    assert.equal(throttled.status, 429, throttled.text);
    assert.equal(throttled.json.code, 'AUTH_THROTTLED');
    assert.equal(throttled.headers.get('retry-after'), '40', 'the minute opened at the first failure');
    assert.match(throttled.json.detail, /more than 3 failed authentications from this address/);
    // even a valid key from that address waits: its credentials are not looked at
    const valid = await raw(s, 'GET', '/v1/models', { headers: attacker });
    assert.equal(valid.status, 429);
    for (let i = 0; i < 20; i++) await raw(s, 'GET', '/v1/models', { key: badKey(), headers: attacker });
    assert.equal(checked.calls, 3, 'no throttled request reached authentication');

    // other addresses, and public routes from this one, are not affected
    assert.equal((await raw(s, 'GET', '/v1/models', { headers: from('203.0.113.8') })).status, 200);
    assert.equal((await raw(s, 'GET', '/health', { key: null, headers: attacker })).status, 200);

    const metrics = parse((await raw(s, 'GET', '/metrics', { headers: from('203.0.113.8') })).text);
    assert.equal(metrics.value('modelgate_auth_throttled_requests_total'), 22);

    clock.advance(40_000);
    assert.equal(
      (await raw(s, 'GET', '/v1/models', { headers: attacker })).status,
      200,
      'the minute is over',
    );
  });

  it('counts only failed authentication: a valid key without the scope (403) is no guess', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2' } });
    const reader = (await s.admin.createKey('dashboard', ['read'])).key;
    for (let i = 0; i < 5; i++) {
      assert.equal((await raw(s, 'GET', '/v1/keys', { key: reader })).status, 403);
    }
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted, so a client cannot pick its own address', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '2' } });
    for (const address of ['198.51.100.1', '198.51.100.2']) {
      const r = await raw(s, 'GET', '/v1/models', { key: badKey(), headers: from(address) });
      assert.equal(r.status, 401);
    }
    const r = await raw(s, 'GET', '/v1/models', { key: badKey(), headers: from('198.51.100.3') });
    assert.equal(r.status, 429, 'all three came from the socket peer');
    assert.equal(r.json.code, 'AUTH_THROTTLED');
  });

  it('takes the last untrusted X-Forwarded-For hop behind a trusted proxy', async (t) => {
    const s = await startTestServer(t, {
      env: { MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '1', MODELGATE_TRUST_PROXY: '127.0.0.1' },
    });
    // a client that forges a first hop does not escape: the proxy appended the address it saw
    await raw(s, 'GET', '/v1/models', { key: badKey(), headers: from('10.9.9.9, 203.0.113.20') });
    const forged = await raw(s, 'GET', '/v1/models', { headers: from('10.1.1.1, 203.0.113.20') });
    assert.equal(forged.status, 429);
    assert.equal((await raw(s, 'GET', '/v1/models', { headers: from('203.0.113.21') })).status, 200);
  });

  it('can be turned off with 0', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0' } });
    for (let i = 0; i < 40; i++) {
      assert.equal((await raw(s, 'GET', '/v1/models', { key: badKey() })).status, 401);
    }
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
  });

  it('refuses a malformed MODELGATE_TRUST_PROXY at start', async (t) => {
    await assert.rejects(
      startTestServer(t, { env: { MODELGATE_TRUST_PROXY: '10.0.0.0/8, proxy.internal' } }),
      /MODELGATE_TRUST_PROXY: 'proxy.internal' is not an address, a CIDR range or one of loopback/,
    );
  });
});
