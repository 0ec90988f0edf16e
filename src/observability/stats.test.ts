import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentile, TrafficStats } from './stats.js';

describe('TrafficStats', () => {
  it('computes nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(xs, 0.5), 50);
    assert.equal(percentile(xs, 0.95), 95);
    assert.equal(percentile(xs, 0.99), 99);
    assert.equal(percentile([7], 0.99), 7);
    assert.equal(percentile([], 0.5), null);
  });

  it('reports per version over the window only, with error rates', () => {
    const s = new TrafficStats(1000);
    const now = 1_000_000;
    for (let i = 1; i <= 100; i++) s.record('m', '1', i, i <= 2 ? 500 : i <= 5 ? 422 : 200, now - 1000);
    s.record('m', '1', 9999, 200, now - 120_000); // outside a 60 s window
    s.record('m', '2', 3, 200, now);
    const [v1, v2] = s.snapshot(now, 60_000);
    assert.deepEqual(v1, {
      model: 'm',
      version: '1',
      requests: 100,
      error_rate: 0.02,
      client_error_rate: 0.03,
      latency_ms: { p50: 50, p95: 95, p99: 99, max: 100 },
    });
    assert.equal(v2!.requests, 1);
    assert.equal(s.snapshot(now + 10 * 60_000, 60_000).length, 0);
  });

  it('keeps only the last `capacity` requests', () => {
    const s = new TrafficStats(10);
    for (let i = 0; i < 25; i++) s.record('m', '1', i, 200, 5);
    const [v] = s.snapshot(5, 1000);
    assert.equal(v!.requests, 10);
    assert.equal(v!.latency_ms.max, 24);
    assert.equal(v!.latency_ms.p50, 19);
  });
});
