import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher.js';

/** A run that doubles numbers and records the requests of each call. */
function recorder(fail?: (n: number) => boolean) {
  const runs: number[][][] = [];
  const run = (requests: number[][]) => {
    runs.push(requests);
    if (fail && requests.flat().some(fail)) return Promise.reject(new Error('bad row'));
    return Promise.resolve(requests.map((rows) => rows.map((n) => n * 2)));
  };
  return { runs, run };
}

describe('Batcher', () => {
  it('coalesces the requests of one event-loop turn into one run and answers each its own rows', async () => {
    const { runs, run } = recorder();
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 64, maxWaitMs: 0 });
    const answers = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6])]);
    assert.deepEqual(answers, [[2, 4], [6], [8, 10, 12]]);
    assert.deepEqual(runs, [[[1, 2], [3], [4, 5, 6]]]);
  });

  it('runs a lone request without waiting for a timer', async () => {
    const { runs, run } = recorder();
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 64, maxWaitMs: 10_000 });
    const started = performance.now();
    assert.deepEqual(await b.submit([7]), [14]);
    assert.ok(performance.now() - started < 1000, 'a lone request was held for the wait');
    assert.equal(runs.length, 1);
  });

  it('never puts more than maxRows rows in a run, and never splits a request', async () => {
    const { runs, run } = recorder();
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 4, maxWaitMs: 0 });
    const answers = await Promise.all([
      b.submit([1, 2, 3]),
      b.submit([4, 5]),
      b.submit([6]),
      b.submit([7, 8, 9, 10, 11]),
    ]);
    assert.deepEqual(answers, [[2, 4, 6], [8, 10], [12], [14, 16, 18, 20, 22]]);
    // [4, 5] would overflow the queued [1, 2, 3]: that runs; the 5-row request runs alone at once;
    // [4, 5] and [6] share the end of the turn
    assert.deepEqual(
      runs.map((r) => r.map((x) => x.length)),
      [[3], [5], [2, 1]],
    );
  });

  it('runs each request of a failed batch alone: only the failing one fails', async () => {
    const { runs, run } = recorder((n) => n < 0);
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 64, maxWaitMs: 0 });
    const results = await Promise.allSettled([b.submit([1]), b.submit([-1]), b.submit([3])]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [[2], 'bad row', [6]],
    );
    assert.deepEqual(runs, [[[1], [-1], [3]], [[1]], [[-1]], [[3]]]);
  });

  it('with maxRows 1 runs every request on its own', async () => {
    const { runs, run } = recorder();
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 1, maxWaitMs: 0 });
    await Promise.all([b.submit([1]), b.submit([2])]);
    assert.deepEqual(runs, [[[1]], [[2]]]);
  });

  it('holds the queue up to maxWaitMs only once requests are concurrent', async () => {
    const { runs, run } = recorder();
    const b = new Batcher(run, (r: number[]) => r.length, { maxRows: 64, maxWaitMs: 20 });
    // concurrency seen: several batches of three
    for (let i = 0; i < 5; i++) await Promise.all([b.submit([1]), b.submit([2]), b.submit([3])]);
    assert.ok(b.meanRequestsPerRun > 1.5, String(b.meanRequestsPerRun));
    runs.length = 0;
    // requests of different turns within the wait share a run
    const first = b.submit([4]);
    await new Promise((r) => setImmediate(r));
    const second = b.submit([5]);
    assert.deepEqual(await Promise.all([first, second]), [[8], [10]]);
    assert.deepEqual(runs, [[[4], [5]]]);
  });

  it('reports each run with its requests and rows', async () => {
    const seen: Array<[number, number]> = [];
    const { run } = recorder();
    const b = new Batcher(
      run,
      (r: number[]) => r.length,
      { maxRows: 64, maxWaitMs: 0 },
      (q, n) => seen.push([q, n]),
    );
    await Promise.all([b.submit([1, 2]), b.submit([3])]);
    await b.submit([4]);
    assert.deepEqual(seen, [
      [2, 3],
      [1, 1],
    ]);
  });
});
