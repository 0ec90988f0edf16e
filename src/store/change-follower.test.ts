import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../shared/clock.js';
import { ChangeFollower, collapse, type ChangeSignal, type ChangeSource } from './change-follower.js';
import type { Change, ChangeKind } from './change-log.js';

const logger = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 1);

/** The change log in memory; `failReads` makes the next reads throw (a lost database). */
class FakeChangeLog implements ChangeSource {
  rows: Change[] = [];
  failReads = 0;
  reads = 0;
  add(kind: ChangeKind, model: string | null = null, atMs = T0): Change {
    const c: Change = {
      seq: this.rows.length + 1,
      kind,
      model,
      version: null,
      at: new Date(atMs).toISOString(),
    };
    this.rows.push(c);
    return c;
  }
  maxSeq(): Promise<number> {
    return Promise.resolve(this.rows.at(-1)?.seq ?? 0);
  }
  since(seq: number, limit: number): Promise<Change[]> {
    this.reads++;
    if (this.failReads > 0) {
      this.failReads--;
      return Promise.reject(new Error('connection lost'));
    }
    return Promise.resolve(this.rows.filter((r) => r.seq > seq).slice(0, limit));
  }
}

/** A notification source the test fires and drops by hand. */
class FakeSignal implements ChangeSignal {
  connected = false;
  #fire: () => void = () => undefined;
  start(onChange: () => void): void {
    this.#fire = onChange;
  }
  connect(): void {
    this.connected = true;
    this.#fire(); // as PgChangeSignal does after every (re)connection
  }
  drop(): void {
    this.connected = false;
  }
  notify(): void {
    if (this.connected) this.#fire();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function follower(log: FakeChangeLog, signal?: FakeSignal, clock = new FakeClock(T0)) {
  const applied: Array<{ seq: number; seconds: number }> = [];
  const f = new ChangeFollower({
    source: log,
    signal,
    clock,
    logger,
    // timers far away: the tests drive poll() and reconcile() themselves
    pollMs: 3_600_000,
    reconcileMs: 3_600_000,
    onApplied: (c, seconds) => applied.push({ seq: c.seq, seconds }),
  });
  return { f, applied, clock };
}

describe('ChangeFollower', () => {
  it('starts after the newest change and dispatches later ones in seq order, by kind', async (t) => {
    const log = new FakeChangeLog();
    log.add('aliases', 'old');
    const { f, applied, clock } = follower(log);
    t.after(() => f.close());
    const seen: string[] = [];
    f.on('aliases', (c) => Promise.resolve(void seen.push(`aliases:${c.model}:${c.seq}`)));
    f.on('keys', (c) => Promise.resolve(void seen.push(`keys:${c.seq}`)));
    await f.begin();
    assert.equal(f.last, 1);
    log.add('aliases', 'a', T0);
    log.add('keys', null, T0 + 100);
    log.add('aliases', 'b', T0 + 200);
    log.add('rollout', 'a', T0 + 300); // nobody subscribed: skipped, but read past
    clock.advance(1_500);
    await f.poll();
    assert.deepEqual(seen, ['aliases:a:2', 'keys:3', 'aliases:b:4']);
    assert.equal(f.last, 5);
    // propagation time: now - at, only for changes somebody applied
    assert.deepEqual(applied, [
      { seq: 2, seconds: 1.5 },
      { seq: 3, seconds: 1.4 },
      { seq: 4, seconds: 1.3 },
    ]);
    await f.poll();
    assert.equal(seen.length, 3, 'nothing is applied twice');
  });

  it('collapses repeated changes of one kind and model within a batch into the last', () => {
    const c = (seq: number, kind: ChangeKind, model: string | null): Change => ({
      seq,
      kind,
      model,
      version: null,
      at: '',
    });
    const cases: Array<{ batch: Change[]; want: number[] }> = [
      { batch: [], want: [] },
      { batch: [c(1, 'aliases', 'a')], want: [1] },
      { batch: [c(1, 'aliases', 'a'), c(2, 'aliases', 'a'), c(3, 'aliases', 'a')], want: [3] },
      { batch: [c(1, 'aliases', 'a'), c(2, 'aliases', 'b'), c(3, 'aliases', 'a')], want: [2, 3] },
      { batch: [c(1, 'keys', null), c(2, 'aliases', 'a'), c(3, 'keys', null)], want: [2, 3] },
      { batch: [c(1, 'warm', 'a'), c(2, 'aliases', 'a')], want: [1, 2] },
    ];
    for (const { batch, want } of cases)
      assert.deepEqual(
        collapse(batch).map((x) => x.seq),
        want,
      );
  });

  it('a notification makes it read at once; one during a read makes it read again', async (t) => {
    const log = new FakeChangeLog();
    const signal = new FakeSignal();
    const { f } = follower(log, signal);
    t.after(() => f.close());
    const seen: number[] = [];
    let release: () => void = () => undefined;
    f.on('aliases', async (c) => {
      seen.push(c.seq);
      if (c.seq === 1) await new Promise<void>((r) => (release = r));
    });
    await f.begin();
    f.start();
    signal.connect();
    log.add('aliases', 'a');
    signal.notify();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [1]);
    // committed and announced while change 1 is still being applied
    log.add('aliases', 'b');
    signal.notify();
    release();
    await f.poll();
    assert.deepEqual(seen, [1, 2]);
  });

  it('a failing subscriber does not stop the others, and the log moves on', async (t) => {
    const log = new FakeChangeLog();
    const { f } = follower(log);
    t.after(() => f.close());
    const seen: string[] = [];
    f.on('aliases', (c) =>
      c.model === 'bad' ? Promise.reject(new Error('load failed')) : Promise.resolve(),
    );
    f.on('aliases', (c) => Promise.resolve(void seen.push(c.model!)));
    await f.begin();
    log.add('aliases', 'bad');
    log.add('aliases', 'good');
    await f.poll();
    assert.deepEqual(seen, ['bad', 'good']);
    assert.equal(f.last, 2);
  });

  it('a failed read is retried from the same place: no change is skipped', async (t) => {
    const log = new FakeChangeLog();
    const { f } = follower(log);
    t.after(() => f.close());
    const seen: number[] = [];
    f.on('keys', (c) => Promise.resolve(void seen.push(c.seq)));
    await f.begin();
    log.add('keys');
    log.failReads = 1;
    await f.poll();
    assert.deepEqual(seen, []);
    assert.equal(f.last, 0);
    await f.poll();
    assert.deepEqual(seen, [1]);
  });

  it('after a dropped notification connection, the reconnect reads what was missed', async (t) => {
    const log = new FakeChangeLog();
    const signal = new FakeSignal();
    const { f } = follower(log, signal);
    t.after(() => f.close());
    const seen: number[] = [];
    f.on('aliases', (c) => Promise.resolve(void seen.push(c.seq)));
    await f.begin();
    f.start();
    signal.connect();
    assert.equal(f.connected, true);
    signal.drop();
    assert.equal(f.connected, false);
    log.add('aliases', 'a');
    signal.notify(); // lost: not connected
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, []);
    signal.connect();
    await f.poll();
    assert.deepEqual(seen, [1]);
  });

  it('reconcile runs every reconciler, even after one fails: it repairs a missed change', async (t) => {
    const log = new FakeChangeLog();
    const { f } = follower(log);
    t.after(() => f.close());
    // what serves here vs what the registry says; the change that moved the registry was missed
    const registry = { a: '1.1.0' };
    const served = { a: '1.0.0' };
    let keysReloaded = 0;
    f.onReconcile(() => Promise.reject(new Error('first fails')));
    f.onReconcile(() => Promise.resolve(void (served.a = registry.a)));
    f.onReconcile(() => Promise.resolve(void keysReloaded++));
    await f.reconcile();
    assert.deepEqual(served, { a: '1.1.0' });
    assert.equal(keysReloaded, 1);
  });

  it('polls on its timer without any notification', async (t) => {
    const log = new FakeChangeLog();
    const f = new ChangeFollower({
      source: log,
      clock: new FakeClock(T0),
      logger,
      pollMs: 20,
      reconcileMs: 3_600_000,
    });
    t.after(() => f.close());
    const seen: number[] = [];
    f.on('keys', (c) => Promise.resolve(void seen.push(c.seq)));
    await f.begin();
    f.start();
    log.add('keys');
    const deadline = Date.now() + 2_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, [1]);
  });
});
