import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reservoir } from './reservoir.js';
import { mulberry32 } from './seeded-random.js';

describe('reservoir', () => {
  it('keeps every value until full, then a uniform sample of all of them', () => {
    const random = mulberry32(7);
    const first: number[] = [];
    for (let i = 1; i <= 10; i++) reservoir(first, i, i, 10, random());
    assert.deepEqual(first, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // 2,000 runs of 1,000 values into 100 slots: each value kept with probability 0.1, early and
    // late alike (replacing a random slot on every value would keep mostly the last ones)
    const kept = new Array<number>(1000).fill(0);
    for (let run = 0; run < 2000; run++) {
      const sample: number[] = [];
      for (let i = 0; i < 1000; i++) reservoir(sample, i + 1, i, 100, random());
      for (const v of sample) kept[v]!++;
    }
    const share = (from: number, to: number) =>
      kept.slice(from, to).reduce((a, b) => a + b, 0) / ((to - from) * 2000);
    assert.ok(Math.abs(share(0, 100) - 0.1) < 0.01, `first 100: ${share(0, 100)}`);
    assert.ok(Math.abs(share(900, 1000) - 0.1) < 0.01, `last 100: ${share(900, 1000)}`);
  });
});
