import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { initialMs: 1000, maxMs: 30_000 };
  const cases: Array<[attempt: number, random: number, expected: number]> = [
    [0, 0.5, 1000],
    [1, 0.5, 2000],
    [2, 0.5, 4000],
    [4, 0.5, 16_000],
    [5, 0.5, 30_000], // capped: 32 s > 30 s
    [60, 0.5, 30_000], // no overflow for a process that waited for days
    [0, 0, 800], // jitter bounds: ×0.8 …
    [0, 0.999_999, 1200], // … ×1.2
    [5, 0, 24_000],
  ];
  for (const [attempt, random, expected] of cases) {
    it(`attempt ${attempt}, random ${random} → ${expected} ms`, () =>
      assert.equal(
        backoffDelay(attempt, policy, () => random),
        expected,
      ));
  }
});
