// usePoll's runs (console/src/logic/poll-run.ts): which load may put its answer on screen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFor, newPollRun, type PollSink } from '../../console/src/logic/poll-run.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function recorder() {
  const events: string[] = [];
  const sink: PollSink<string> = {
    data: (v) => events.push(`data ${v}`),
    problem: (err) => events.push(`problem ${(err as Error).message}`),
    settled: () => events.push('settled'),
  };
  return { events, sink };
}

describe('poll runs', () => {
  it('new inputs load at once, and the earlier inputs’ late answer never lands over theirs', async () => {
    const { events, sink } = recorder();
    const first = newPollRun();
    const slow = deferred<string>();
    const firstLoad = loadFor(first, () => slow.promise, sink);
    // the user applies a filter while the first page is loading
    first.current = false;
    const second = newPollRun();
    const fast = deferred<string>();
    const secondLoad = loadFor(second, () => fast.promise, sink);
    fast.resolve('limit 5');
    await secondLoad;
    slow.resolve('limit 50');
    await firstLoad;
    assert.deepEqual(events, ['data limit 5', 'settled']);
  });

  it('one load at a time within a run; the next may start once it ended', async () => {
    const { events, sink } = recorder();
    const run = newPollRun();
    let calls = 0;
    const gate = deferred<string>();
    const a = loadFor(run, () => (calls++, gate.promise), sink);
    const b = loadFor(run, () => (calls++, Promise.resolve('second')), sink);
    await b;
    assert.equal(calls, 1, 'the second asked while the first was in flight: skipped');
    gate.resolve('first');
    await a;
    await loadFor(run, () => (calls++, Promise.resolve('third')), sink);
    assert.equal(calls, 2);
    assert.deepEqual(events, ['data first', 'settled', 'data third', 'settled']);
  });

  it('a failure of the current run is shown; one of an ended run is not', async () => {
    const { events, sink } = recorder();
    const ended = newPollRun();
    const late = deferred<string>();
    const lateLoad = loadFor(ended, () => late.promise, sink);
    ended.current = false;
    late.reject(new Error('old'));
    await lateLoad;
    await loadFor(newPollRun(), () => Promise.reject(new Error('now')), sink);
    assert.deepEqual(events, ['problem now', 'settled']);
  });

  it('an ended run loads nothing more (its timer may still fire once)', async () => {
    const { events, sink } = recorder();
    const run = newPollRun();
    run.current = false;
    let called = false;
    await loadFor(run, async () => ((called = true), 'x'), sink);
    assert.equal(called, false);
    assert.deepEqual(events, []);
  });
});
