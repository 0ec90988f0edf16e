import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignVariant, bucket } from './traffic-split.js';
import type { Step } from './plan.js';

const ID = 'ro_0123456789abcdef';
const canary = (weight: number): Step => ({ type: 'canary', weight, durationS: 60 });
const shadow = (percent: number): Step => ({ type: 'shadow', percent, durationS: 60 });

describe('bucket', () => {
  it('is a fixed function of (key, rollout): the same number in every process', () => {
    // computed once; a change here would move users between arms across a deploy
    for (const [key, expected] of [
      ['user-1', 6259],
      ['user-2', 9452],
      ['alice', 3885],
      ['', 823],
    ] as const)
      assert.equal(bucket(key, ID), expected, key);
    assert.notEqual(bucket('user-1', 'ro_ffffffffffffffff'), 6259, 'another rollout reshuffles');
  });
  it('draws per request without a key', () => {
    assert.equal(
      bucket(undefined, ID, () => 0),
      0,
    );
    assert.equal(
      bucket(undefined, ID, () => 0.99995),
      9999,
    );
  });
});

describe('assignVariant', () => {
  const cases: Array<
    [string, Step | undefined, string | undefined, 'stable' | 'candidate' | undefined, unknown]
  > = [
    ['no step', undefined, 'user-1', undefined, undefined],
    ['smoke routes nothing', { type: 'smoke' }, 'user-1', undefined, undefined],
    ['pause routes nothing', { type: 'pause' }, 'user-1', undefined, undefined],
    [
      'bucket 6259 < 6260: candidate at 62.6%',
      canary(62.6),
      'user-1',
      undefined,
      { variant: 'candidate', shadow: false },
    ],
    [
      'bucket 6259 = 6259: stable at 62.59%',
      canary(62.59),
      'user-1',
      undefined,
      { variant: 'stable', shadow: false },
    ],
    ['100% sends all', canary(100), 'user-2', undefined, { variant: 'candidate', shadow: false }],
    ['override pins', canary(1), 'user-2', 'candidate', { variant: 'candidate', shadow: false }],
    ['shadow mirrors low buckets', shadow(40), 'alice', undefined, { variant: 'stable', shadow: true }],
    ['shadow leaves high buckets', shadow(38), 'alice', undefined, { variant: 'stable', shadow: false }],
    ['an override never mirrors', shadow(100), 'alice', 'candidate', { variant: 'candidate', shadow: false }],
  ];
  for (const [name, step, key, override, expected] of cases)
    it(name, () => assert.deepEqual(assignVariant(step, key, ID, override), expected));

  it('is monotonic: raising the weight only moves keys to the candidate', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    let before = keys.map((k) => assignVariant(canary(5), k, ID)!.variant);
    for (const w of [10, 25, 50, 99, 100]) {
      const now = keys.map((k) => assignVariant(canary(w), k, ID)!.variant);
      before.forEach((v, i) => v === 'candidate' && assert.equal(now[i], 'candidate'));
      const share = now.filter((v) => v === 'candidate').length / keys.length;
      assert.ok(Math.abs(share - w / 100) < 0.04, `${w}%: ${share}`);
      before = now;
    }
  });
});
