import assert from 'node:assert/strict';
import { it } from 'node:test';
import { judgeLoadtest, summariseLoadtest } from './loadtest-summary.js';

it('summariseLoadtest: percentiles, throughput, errors by status and per second', () => {
  const s = summariseLoadtest(
    [
      { atMs: 100, latencyMs: 1, status: 200 },
      { atMs: 400, latencyMs: 2, status: 200 },
      { atMs: 1200, latencyMs: 3, status: 503 },
      { atMs: 1900, latencyMs: 10, status: 200 },
    ],
    2,
    { errors: 1, timeouts: 0 },
  );
  assert.deepEqual(s.latency_ms, { p50: 2, p90: 10, p99: 10, max: 10 });
  assert.equal(s.requests, 4);
  assert.equal(s.rps, 2);
  assert.deepEqual(s.errors_by_status, { '503': 1, error: 1 });
  assert.equal(s.error_percent, 40); // 2 failed of 5 sent
  assert.deepEqual(s.per_second, [
    { second: 0, requests: 2, p50Ms: 1, p99Ms: 2 },
    { second: 1, requests: 2, p50Ms: 3, p99Ms: 10 },
  ]);
});

it('summariseLoadtest: nothing answered', () => {
  const s = summariseLoadtest([], 1, { errors: 3, timeouts: 3 });
  assert.deepEqual(s.latency_ms, { p50: 0, p90: 0, p99: 0, max: 0 });
  assert.deepEqual(s.errors_by_status, { timeout: 3 });
  assert.equal(s.error_percent, 100);
  assert.deepEqual(s.per_second, []);
  // no answer never meets a latency target
  assert.deepEqual(judgeLoadtest(s, { p99Ms: 100 }), [{ target: 'p99 <= 100 ms', ok: false, measured: 0 }]);
});

it('judgeLoadtest: only the targets given, each met or missed', () => {
  const s = summariseLoadtest(
    Array.from({ length: 100 }, (_, i) => ({ atMs: i * 10, latencyMs: i + 1, status: 200 })),
    1,
    { errors: 0, timeouts: 0 },
  );
  assert.deepEqual(judgeLoadtest(s, {}), []);
  assert.deepEqual(judgeLoadtest(s, { p99Ms: 50, errorPercent: 0, minRps: 100 }), [
    { target: 'p99 <= 50 ms', ok: false, measured: 99 },
    { target: 'errors <= 0%', ok: true, measured: 0 },
    { target: 'throughput >= 100 req/s', ok: true, measured: 100 },
  ]);
});
