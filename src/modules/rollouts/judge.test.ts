import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_JUDGE, emptyArm, judge, type ArmWindow } from './judge.js';
import { simulate, standardScenarios } from './simulate.js';

const cfg = { ...DEFAULT_JUDGE, maxLooks: 30 };
const arm = (
  requests: number,
  errors: number,
  latency: number,
  extra: Partial<ArmWindow> = {},
): ArmWindow => ({
  ...emptyArm(),
  requests,
  errors,
  latenciesMs: Array.from(
    { length: Math.min(requests, 2000) },
    (_, i) => latency * (0.8 + (0.4 * (i % 100)) / 100),
  ),
  ...extra,
});

describe('rollout judge', () => {
  it('passes a candidate like its baseline, recording values, thresholds and statistics', () => {
    const j = judge(arm(2000, 20, 5), arm(1000, 11, 5), cfg);
    assert.equal(j.verdict, 'pass');
    const err = j.checks.find((c) => c.name === 'error_rate')!;
    assert.deepEqual(err.candidate, { requests: 1000, errors: 11, rate: 0.011 });
    assert.deepEqual(err.threshold, { margin: 0.01, ceiling: 0.1, min_requests: 100 });
    assert.equal(err.statistic!.alpha, 0.01 / 90);
    assert.ok(err.statistic!.p > 0.5);
  });

  it('fails a candidate with 5 points more errors', () => {
    const j = judge(arm(2000, 20, 5), arm(750, 45, 5), cfg);
    assert.equal(j.verdict, 'fail');
    assert.match(
      j.checks.find((c) => c.name === 'error_rate')!.reason,
      /exceed baseline's by more than 0.01/,
    );
  });

  it('fails over the absolute error ceiling even without a baseline', () => {
    const j = judge(emptyArm(), arm(200, 30, 5), cfg);
    assert.equal(j.verdict, 'fail');
    assert.match(j.checks[0]!.reason, /over the ceiling 0.1/);
  });

  it('fails a slower candidate, and one over the p99 ceiling', () => {
    const slower = judge(arm(2000, 0, 5), arm(1000, 0, 8), cfg);
    assert.equal(slower.verdict, 'fail');
    assert.match(slower.checks.find((c) => c.name === 'latency')!.reason, /slower: median ×1\.6/);
    const ceiling = judge(arm(2000, 0, 5), arm(1000, 0, 1500), cfg);
    assert.match(ceiling.checks.find((c) => c.name === 'latency')!.reason, /over the ceiling 1000 ms/);
  });

  it('judges only the p99 ceiling against a baseline from an earlier step, still comparing errors', () => {
    const earlier = { ...cfg, earlierBaseline: true };
    const slower = judge(arm(2000, 0, 5), arm(1000, 0, 8), earlier);
    assert.equal(slower.verdict, 'pass');
    const latency = slower.checks.find((c) => c.name === 'latency')!;
    assert.match(latency.reason, /p99 9\.5\d* ms is under the ceiling; the baseline is from an earlier step/);
    assert.equal(latency.statistic, undefined, 'no comparison was made');
    const ceiling = judge(arm(2000, 0, 5), arm(1000, 0, 1500), earlier);
    assert.equal(ceiling.verdict, 'fail');
    assert.match(ceiling.checks.find((c) => c.name === 'latency')!.reason, /over the ceiling 1000 ms/);
    const errs = judge(arm(2000, 20, 5), arm(750, 45, 5), earlier);
    assert.equal(errs.verdict, 'fail');
    assert.match(errs.checks[0]!.reason, /exceed baseline's by more than 0.01/);
  });

  it('is inconclusive below the minimum sample size', () => {
    const j = judge(arm(2000, 20, 5), arm(40, 0, 5), cfg);
    assert.equal(j.verdict, 'inconclusive');
    assert.match(j.checks[0]!.reason, /40 of 100 requests/);
  });

  it('judges accuracy from feedback once enough is labelled', () => {
    const good = { labelled: 500, correct: 480 };
    const worse = judge(arm(2000, 0, 5, good), arm(1000, 0, 5, { labelled: 500, correct: 350 }), cfg);
    assert.equal(worse.verdict, 'fail');
    assert.match(worse.checks.find((c) => c.name === 'accuracy')!.reason, /accuracy is lower/);
    const few = judge(arm(2000, 0, 5, good), arm(1000, 0, 5, { labelled: 20, correct: 5 }), cfg);
    assert.equal(few.checks.find((c) => c.name === 'accuracy')!.verdict, 'inconclusive');
    assert.equal(few.verdict, 'pass', 'missing feedback never holds a step');
  });

  it('fails a shadow candidate that disagrees with stable', () => {
    const j = judge(arm(2000, 0, 5), arm(500, 0, 5, { shadowCompared: 500, shadowAgreed: 300 }), cfg);
    assert.equal(j.checks.find((c) => c.name === 'shadow_agreement')!.verdict, 'fail');
  });
});

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
