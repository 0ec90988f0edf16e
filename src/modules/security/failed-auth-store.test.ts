import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFailedAuthStore, type FailedAuthStore } from './failed-auth-store.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);

/** What every FailedAuthStore must do (the Redis store of cluster mode will run it too). */
function failedAuthStoreContract(name: string, make: () => Promise<FailedAuthStore>): void {
  describe(`FailedAuthStore contract: ${name}`, () => {
    it('counts failures in a window that opens at the first one', async () => {
      const store = await make();
      assert.equal(await store.get('203.0.113.7', T0), undefined);
      assert.deepEqual(await store.record('203.0.113.7', MINUTE, T0), { count: 1, resetAtMs: T0 + MINUTE });
      assert.deepEqual(await store.record('203.0.113.7', MINUTE, T0 + 30_000), {
        count: 2,
        resetAtMs: T0 + MINUTE,
      });
      assert.deepEqual(await store.get('203.0.113.7', T0 + 59_999), { count: 2, resetAtMs: T0 + MINUTE });
    });

    it('forgets a window once it closes, and opens a new one at the next failure', async () => {
      const store = await make();
      await store.record('a', MINUTE, T0);
      await store.record('a', MINUTE, T0);
      assert.equal(await store.get('a', T0 + MINUTE), undefined);
      assert.deepEqual(await store.record('a', MINUTE, T0 + MINUTE + 5), {
        count: 1,
        resetAtMs: T0 + 2 * MINUTE + 5,
      });
    });

    it('keeps addresses apart', async () => {
      const store = await make();
      await store.record('a', MINUTE, T0);
      await store.record('a', MINUTE, T0);
      assert.equal((await store.record('b', MINUTE, T0)).count, 1);
      assert.equal((await store.get('a', T0))?.count, 2);
    });

    it('answers copies: a caller cannot change the count', async () => {
      const store = await make();
      const w = await store.record('a', MINUTE, T0);
      w.count = 100;
      assert.equal((await store.get('a', T0))?.count, 1);
    });
  });
}

failedAuthStoreContract('memory', async () => new MemoryFailedAuthStore());

describe('MemoryFailedAuthStore', () => {
  it('holds at most maxKeys windows, dropping the oldest', async () => {
    const store = new MemoryFailedAuthStore(3);
    for (const key of ['a', 'b', 'c', 'd']) await store.record(key, MINUTE, T0);
    assert.equal(store.size, 3);
    assert.equal(await store.get('a', T0), undefined, 'the oldest was dropped');
    assert.equal((await store.get('d', T0))?.count, 1);
  });

  it('drops a closed window when it is next read', async () => {
    const store = new MemoryFailedAuthStore();
    await store.record('a', MINUTE, T0);
    assert.equal(store.size, 1);
    await store.get('a', T0 + MINUTE);
    assert.equal(store.size, 0);
  });

  it('tells without a promise whether any window is open, and forgets them all once all closed', async () => {
    const store = new MemoryFailedAuthStore();
    assert.equal(store.anyOpen(T0), false, 'nothing failed yet');
    await store.record('a', MINUTE, T0);
    await store.record('b', MINUTE, T0 + 20_000);
    assert.equal(store.anyOpen(T0 + 59_999), true);
    // a's window has closed, b's is open: get and anyOpen agree
    assert.equal(await store.get('a', T0 + MINUTE), undefined);
    assert.equal(store.anyOpen(T0 + MINUTE), true);
    assert.equal((await store.get('b', T0 + MINUTE))?.count, 1);
    assert.equal(store.anyOpen(T0 + 20_000 + MINUTE), false, "b's window closed too");
    assert.equal(store.size, 0, 'closed windows are dropped at once');
    await store.record('c', MINUTE, T0 + 2 * MINUTE);
    assert.equal(store.anyOpen(T0 + 2 * MINUTE), true, 'a new failure opens a window again');
  });
});
