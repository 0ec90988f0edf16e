import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Hit } from './messages.js';
import { SharedWindows } from './shared-windows.js';
import { SyncedWindowCounter } from './synced-window-counter.js';

/** Two workers and their primary, synced by hand (flush, then the primary's counts). */
function twoWorkers() {
  let now = 0;
  const clock = () => now;
  const primary = new SharedWindows(clock);
  const sent: Array<{ slot: number; hits: Hit[] }> = [];
  const worker = (slot: number) =>
    new SyncedWindowCounter({ send: (hits) => sent.push({ slot, hits }), nowMs: clock, syncMs: 1e9 });
  const workers = [worker(1), worker(2)] as const;
  const sync = () => {
    for (const w of workers) w.flush();
    for (const { slot, hits } of sent.splice(0)) primary.hit(slot, hits);
    const keys = primary.takeDirty();
    workers.forEach((w, i) => w.apply(primary.countsFor(i + 1, keys)));
  };
  return { workers, primary, sync, advance: (ms: number) => void (now += ms) };
}

describe('SyncedWindowCounter with SharedWindows', () => {
  it("counts own hits at once and the others' after a sync: one budget", async () => {
    const { workers, sync, advance } = twoWorkers();
    const [a, b] = workers;
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) counts.push((await a.increment('k', 60_000)).count);
    for (let i = 0; i < 2; i++) counts.push((await b.increment('k', 60_000)).count);
    assert.deepEqual(counts, [1, 2, 3, 1, 2], 'before a sync each sees its own');
    sync();
    advance(1000);
    assert.deepEqual(await a.peek('k'), { count: 5, ttlMs: 59_000 });
    assert.deepEqual(await b.increment('k', 60_000), { count: 6, ttlMs: 59_000 });
    sync();
    assert.deepEqual(
      [(await a.peek('k'))?.count, (await b.peek('k'))?.count],
      [6, 6],
      'both agree after the sync',
    );
  });

  it('a window closes on both sides and starts again from zero', async () => {
    const { workers, primary, sync, advance } = twoWorkers();
    const [a, b] = workers;
    await a.increment('k', 1000);
    sync();
    assert.equal((await b.peek('k'))?.count, 1);
    advance(1000);
    assert.equal(await a.peek('k'), undefined);
    assert.equal(await b.peek('k'), undefined);
    assert.deepEqual(await b.increment('k', 1000), { count: 1, ttlMs: 1000 });
    sync();
    assert.equal((await a.peek('k'))?.count, 1);
    assert.equal(primary.size, 1);
  });

  it('a key never counted anywhere has no window', async () => {
    const { workers, sync } = twoWorkers();
    sync();
    assert.equal(await workers[0].peek('authfail:10.0.0.1'), undefined);
  });

  it('the primary holds at most maxKeys windows', () => {
    const windows = new SharedWindows(() => 0, 2);
    windows.hit(1, [
      { key: 'a', n: 1, windowMs: 1000 },
      { key: 'b', n: 2, windowMs: 1000 },
      { key: 'c', n: 3, windowMs: 1000 },
    ]);
    assert.equal(windows.size, 2);
    assert.deepEqual(windows.countsFor(2, ['a', 'b', 'c']), [
      { key: 'b', others: 2, ttlMs: 1000 },
      { key: 'c', others: 3, ttlMs: 1000 },
    ]);
    assert.deepEqual(windows.countsFor(1, ['c']), [{ key: 'c', others: 0, ttlMs: 1000 }]);
  });
});
