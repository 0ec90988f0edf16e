import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { IdleMemoryReducer, reduceMemory } from './memory-reducer.js';

describe('reduceMemory', () => {
  it('collects garbage and gives its pages back', () => {
    let keep: unknown[] = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `value ${i}` }));
    const before = getHeapStatistics().total_heap_size;
    keep = [];
    reduceMemory();
    reduceMemory(); // the second call reuses the function it found
    const after = getHeapStatistics().total_heap_size;
    assert.equal(keep.length, 0);
    assert.ok(after < before - 5 * 1024 * 1024, `heap ${before} → ${after} bytes`);
    assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'no gc global appears');
  });
});

describe('IdleMemoryReducer', () => {
  it('reduces once per burst, after an interval without traffic; probes neither block nor trigger it', () => {
    let received = 0;
    let reductions = 0;
    const reducer = new IdleMemoryReducer(
      () => received,
      60_000,
      20,
      () => reductions++,
    );
    reducer.tick();
    assert.equal(reductions, 0, 'never busy: nothing to give back');
    received = 500;
    reducer.tick(); // busy during this interval
    assert.equal(reductions, 0);
    received = 900;
    reducer.tick(); // still busy
    assert.equal(reductions, 0);
    received += 3; // a few health probes
    reducer.tick(); // quiet
    assert.equal(reductions, 1);
    reducer.tick();
    received += 20; // probes and scrapes only
    reducer.tick();
    assert.equal(reductions, 1, 'once per quiet spell');
    received += 100;
    reducer.tick();
    reducer.tick();
    assert.equal(reductions, 2, 'and again after the next burst');
    reducer.stop();
  });
});
