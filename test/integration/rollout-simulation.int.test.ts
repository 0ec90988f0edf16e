// The judge over 400 simulated rollouts: statistical and the slowest test of the judge, so it runs in
// npm test but not in the unit set.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulate, standardScenarios } from '../../src/modules/rollouts/simulate.js';

describe('rollout simulation (npm run sim:rollouts runs more)', () => {
  it('keeps A/A false aborts at or under 1% and catches +5 pp errors within two intervals', () => {
    const { aa, worse } = standardScenarios(200, 7);
    const a = simulate(aa);
    const b = simulate(worse);
    assert.ok(a.abortRate <= 0.01, `false-abort rate ${a.abortRate}`);
    assert.ok(
      b.abortedWithinTwoIntervals / b.rollouts >= 0.95,
      `detection ${b.abortedWithinTwoIntervals}/${b.rollouts}`,
    );
  });
});
