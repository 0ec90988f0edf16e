// Rate limits and the failed-authentication throttle counted in Redis: two servers (two
// replicas) share one budget, and a Redis that goes away costs at most the command timeout per
// request, failing open (counted, logged) or closed (503 RATE_LIMIT_UNAVAILABLE).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey } from '../../src/modules/security/api-key.js';
import { freePort } from '../helpers/ports.js';
import { parse } from '../helpers/prom-text.js';
import { randomPrefix, redisSkip, startOwnRedis, takeKeys, TEST_REDIS_URL } from '../helpers/redis.js';
import { raw, startTestServer, type TestServer } from '../helpers/server.js';

const skip = redisSkip();

// /metrics public, so that reading them counts against no limit
const PUBLIC_METRICS = { MODELGATE_METRICS_PUBLIC: 'true' };

async function metrics(s: TestServer) {
  return parse((await raw(s, 'GET', '/metrics', { key: null })).text);
}

/** Two servers on one Redis prefix and one admin key (one principal), as two replicas are. */
async function twoReplicas(t: Parameters<typeof startTestServer>[0], env: Record<string, string>) {
  const adminKey = generateApiKey().key;
  const common = {
    MODELGATE_ADMIN_KEY: adminKey,
    MODELGATE_TRUST_PROXY: 'loopback',
    ...PUBLIC_METRICS,
    ...env,
  };
  // one after the other: with Promise.all, the second would register its cleanup only after a
  // failure of the first had ended the test, and stay listening
  const a = await startTestServer(t, { env: common });
  const b = await startTestServer(t, { env: common });
  return [a, b] as const;
}

describe('rate limits in Redis', { skip }, () => {
  it('holds one budget per principal across replicas, in keys under the configured prefix', async (t) => {
    const prefix = randomPrefix();
    t.after(() => takeKeys(TEST_REDIS_URL, prefix));
    const [a, b] = await twoReplicas(t, {
      MODELGATE_REDIS_URL: TEST_REDIS_URL,
      MODELGATE_REDIS_KEY_PREFIX: prefix,
      // these tests count; a loaded test machine must not turn a slow answer into a fail-open
      MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '2000',
      MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '5',
    });
    const statuses: number[] = [];
    for (const s of [a, b, a, b, a, b, a]) statuses.push((await raw(s, 'GET', '/v1/models')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const refused = await raw(b, 'GET', '/v1/models');
    assert.equal(refused.json.code, 'RATE_LIMITED');
    assert.equal(refused.headers.get('ratelimit-limit'), '5');
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `retry-after ${retry}`);

    const m = await metrics(a);
    assert.equal(m.value('modelgate_redis_up'), 1);
    assert.equal(m.value('modelgate_redis_errors_total'), 0);
    assert.equal(m.value('modelgate_rate_limit_fail_open_total'), undefined);
    const keys = await takeKeys(TEST_REDIS_URL, prefix);
    const principal = Object.keys(keys).find((k) => k.startsWith('rl:read:key:'));
    assert.ok(principal, `keys: ${Object.keys(keys).join(', ')}`);
    assert.equal(keys[principal], '8', 'every request counted once, across both replicas');
  });

  it('throttles failed authentication per address across replicas', async (t) => {
    const prefix = randomPrefix();
    t.after(() => takeKeys(TEST_REDIS_URL, prefix));
    const [a, b] = await twoReplicas(t, {
      MODELGATE_REDIS_URL: TEST_REDIS_URL,
      MODELGATE_REDIS_KEY_PREFIX: prefix,
      // these tests count; a loaded test machine must not turn a slow answer into a fail-open
      MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '2000',
      MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
    });
    const attacker = { 'x-forwarded-for': '203.0.113.9' };
    const bad = () => generateApiKey().key;
    const statuses = [];
    for (const s of [a, b, a, b, a]) {
      statuses.push((await raw(s, 'GET', '/v1/models', { key: bad(), headers: attacker })).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const throttled = await raw(b, 'GET', '/v1/models', { headers: attacker });
    assert.equal(throttled.json.code, 'AUTH_THROTTLED', 'even a valid key waits');
    assert.equal(
      (await raw(b, 'GET', '/v1/models', { headers: { 'x-forwarded-for': '203.0.113.10' } })).status,
      200,
    );
    const keys = await takeKeys(TEST_REDIS_URL, prefix);
    assert.equal(keys['authfail:203.0.113.9'], '3');
  });

  it('fails open while Redis cannot be reached: requests pass, counted and logged once, within the timeout', async (t) => {
    const port = await freePort(); // nothing listens there
    const s = await startTestServer(t, {
      env: {
        ...PUBLIC_METRICS,
        MODELGATE_REDIS_URL: `redis://127.0.0.1:${port}`,
        MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '100',
        MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '3',
        MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
      },
    });
    // the first request of a fresh server compiles its route's code: not what is measured
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      assert.equal((await raw(s, 'GET', '/v1/models')).status, 200, 'no limit while Redis is away');
      times.push(performance.now() - started);
    }
    assert.ok(
      Math.max(...times) < 100 + 150,
      `request times ${times.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
    const m = await metrics(s);
    assert.equal(m.value('modelgate_redis_up'), 0);
    // each request: the throttle's peek and the principal's count
    assert.ok(
      m.value('modelgate_redis_errors_total')! >= 20,
      String(m.value('modelgate_redis_errors_total')),
    );
    assert.equal(m.value('modelgate_rate_limit_fail_open_total', { limit: 'principal' }), 11);
    assert.ok(m.value('modelgate_rate_limit_fail_open_total', { limit: 'failed_auth' })! >= 11);
    const warnings = s.logs.lines.filter((l) => l.msg === 'rate-limit store (Redis) unavailable');
    assert.ok(warnings.length >= 1 && warnings.length <= 2, `${warnings.length} warnings`);
  });

  it('fails closed when configured: 503 RATE_LIMIT_UNAVAILABLE, public routes still answer', async (t) => {
    const port = await freePort();
    const s = await startTestServer(t, {
      env: {
        ...PUBLIC_METRICS,
        MODELGATE_REDIS_URL: `redis://127.0.0.1:${port}`,
        MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '100',
        MODELGATE_RATE_LIMIT_FAIL_OPEN: 'false',
      },
    });
    const refused = await raw(s, 'GET', '/v1/models');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(refused.json.code, 'RATE_LIMIT_UNAVAILABLE');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.doesNotMatch(refused.text, /ECONNREFUSED|at .*\.js/);
    assert.equal((await raw(s, 'GET', '/health', { key: null })).status, 200);
    assert.equal((await raw(s, 'GET', '/ready', { key: null })).status, 200);
    assert.equal((await metrics(s)).value('modelgate_redis_up'), 0);
  });

  it('recovers without a restart when its Redis comes back, and counts again', async (t) => {
    const redis = await startOwnRedis();
    t.after(() => redis.kill());
    const s = await startTestServer(t, {
      env: {
        ...PUBLIC_METRICS,
        MODELGATE_REDIS_URL: redis.url,
        MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '100',
        MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '4',
      },
    });
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    await redis.kill();
    for (let i = 0; i < 6; i++) assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    await redis.start();
    // the client reconnects by itself (backoff up to 2 s)
    const restarted = Date.now();
    const deadline = restarted + 10_000;
    while (Date.now() < deadline) {
      if ((await metrics(s)).value('modelgate_redis_up') === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const recoveryMs = Date.now() - restarted;
    assert.ok(recoveryMs < 3000, `modelgate_redis_up back to 1 after ${recoveryMs} ms`);
    // a fresh Redis (nothing persisted): the window starts again
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await raw(s, 'GET', '/v1/models')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
  });

  it('a frozen Redis (SIGSTOP) costs a request one command timeout at most, then nothing for a second', async (t) => {
    const redis = await startOwnRedis();
    t.after(() => redis.kill());
    const s = await startTestServer(t, {
      env: {
        ...PUBLIC_METRICS,
        MODELGATE_REDIS_URL: redis.url,
        MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '500',
        MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '100',
      },
    });
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    redis.freeze();
    t.after(() => redis.thaw());
    const times: number[] = [];
    for (let i = 0; i < 8; i++) {
      const started = performance.now();
      assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
      times.push(performance.now() - started);
    }
    // the first request meets the timeout once (its second counter call is skipped); the next ones
    // within the backoff second do not wait at all
    assert.ok(times[0]! >= 490 && times[0]! < 500 + 300, `first ${times[0]} ms`);
    assert.ok(
      Math.max(...times.slice(1)) < 250,
      `then ${times
        .slice(1)
        .map((x) => x.toFixed(0))
        .join(', ')} ms`,
    );
    const m = await metrics(s);
    assert.equal(m.value('modelgate_rate_limit_fail_open_total', { limit: 'principal' }), 8);
    assert.equal(m.value('modelgate_redis_up'), 0);
    redis.thaw();
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    assert.equal((await metrics(s)).value('modelgate_redis_up'), 1, 'counts again after the backoff');
  });

  it('exports no modelgate_redis_up without Redis (a 0 would read as Redis down)', async (t) => {
    const s = await startTestServer(t, { env: PUBLIC_METRICS });
    const m = await metrics(s);
    assert.equal(m.has('modelgate_redis_up'), false);
    assert.equal(m.value('modelgate_redis_errors_total'), 0);
  });
});
