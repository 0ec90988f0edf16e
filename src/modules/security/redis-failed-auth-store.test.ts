import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryWindowCounter } from '../../store/window-counter.js';
import { RedisFailedAuthStore } from './redis-failed-auth-store.js';

describe('RedisFailedAuthStore (over a fake counter)', () => {
  it('counts failures per address under authfail: keys, with the window from the counter', async () => {
    let now = 1_000_000;
    const counter = new MemoryWindowCounter(() => now);
    const store = new RedisFailedAuthStore(counter);
    assert.equal(await store.get('203.0.113.7', now), undefined);
    assert.deepEqual(await store.record('203.0.113.7', 60_000, now), { count: 1, resetAtMs: now + 60_000 });
    now += 20_000;
    assert.deepEqual(await store.record('203.0.113.7', 60_000, now), { count: 2, resetAtMs: now + 40_000 });
    assert.deepEqual(await store.get('203.0.113.7', now), { count: 2, resetAtMs: now + 40_000 });
    assert.equal((await counter.peek('authfail:203.0.113.7'))?.count, 2);
    assert.equal((await store.record('203.0.113.8', 60_000, now)).count, 1, 'addresses apart');
    now += 40_000;
    assert.equal(await store.get('203.0.113.7', now), undefined, 'the window closed');
  });

  it('passes a failing counter through (the hook decides open or closed)', async () => {
    const store = new RedisFailedAuthStore({
      increment: () => Promise.reject(new Error('down')),
      peek: () => Promise.reject(new Error('down')),
    });
    await assert.rejects(store.get('a', 0), /down/);
    await assert.rejects(store.record('a', 60_000, 0), /down/);
  });
});
