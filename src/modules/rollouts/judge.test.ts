import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { psi } from '../monitoring/drift-statistics.js';
import { DEFAULT_JUDGE, emptyArm, judge, type ArmWindow } from './judge.js';

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

  describe('prediction shift (opt-in)', () => {
    const shiftCfg = { ...cfg, maxPredictionPsi: 0.25 };
    // deterministic "samples": n values spread evenly over [lo, hi]
    const spread = (n: number, lo: number, hi: number) =>
      Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n);
    const withPredictions = (predictions: Array<number | string>) => arm(1000, 0, 5, { predictions });
    const shiftOf = (j: ReturnType<typeof judge>) => j.checks.find((c) => c.name === 'prediction_shift');

    it('passes scores from the same distribution and fails shifted ones, PSI over fixed score bins', () => {
      const alike = judge(withPredictions(spread(1000, 0, 1)), withPredictions(spread(800, 0, 1)), shiftCfg);
      assert.equal(shiftOf(alike)!.verdict, 'pass');
      assert.equal(shiftOf(alike)!.candidate.psi, 0);
      assert.equal(alike.verdict, 'pass');
      const shifted = judge(
        withPredictions(spread(1000, 0, 1)),
        withPredictions(spread(800, 0.5, 1)),
        shiftCfg,
      );
      assert.equal(shifted.verdict, 'fail');
      // the bins: tenths (and one for NaN only when there is any)
      const stable = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
      const candidate = [0, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2];
      const expected = psi(stable, candidate).psi;
      const check = shiftOf(shifted)!;
      assert.ok(Math.abs(check.candidate.psi! - expected) < 1e-4, `${check.candidate.psi} vs ${expected}`);
      assert.match(check.reason, /predictions shifted: PSI \d+\.\d+ over 0\.25/);
      assert.equal(check.statistic!.name, 'chi-square (homogeneity)');
      assert.equal(check.statistic!.alpha, 0.01 / (30 * 4), 'a fourth test per look spends alpha');
    });

    it('sees NaN answers as a shift, not as missing', () => {
      const small = (x: number) => new Array<number>(1000).fill(x);
      const broken = judge(withPredictions(spread(1000, 0, 1)), withPredictions(small(NaN)), shiftCfg);
      assert.equal(shiftOf(broken)!.verdict, 'fail', shiftOf(broken)!.reason);
      const half = [...spread(500, 0, 1), ...new Array<number>(500).fill(NaN)];
      assert.equal(
        shiftOf(judge(withPredictions(spread(1000, 0, 1)), withPredictions(half), shiftCfg))!.verdict,
        'fail',
      );
    });

    it('bins scores of other granularity alike: 0 and 0.005 are the same bin', () => {
      const coarse = [...new Array<number>(500).fill(0), ...new Array<number>(500).fill(1)];
      const fine = [...new Array<number>(500).fill(0.005), ...new Array<number>(500).fill(0.995)];
      assert.equal(shiftOf(judge(withPredictions(coarse), withPredictions(fine), shiftCfg))!.verdict, 'pass');
    });

    it('uses the baseline deciles for values outside [0, 1], and labels as they are', () => {
      const values = judge(
        withPredictions(spread(1000, 0, 100)),
        withPredictions(spread(1000, 50, 150)),
        shiftCfg,
      );
      assert.equal(shiftOf(values)!.verdict, 'fail');
      const labels = (benign: number) =>
        Array.from({ length: 1000 }, (_, i) => (i < benign ? 'benign' : 'malignant'));
      assert.equal(
        shiftOf(judge(withPredictions(labels(600)), withPredictions(labels(620)), shiftCfg))!.verdict,
        'pass',
      );
      const flipped = judge(withPredictions(labels(600)), withPredictions(labels(300)), shiftCfg);
      assert.equal(shiftOf(flipped)!.verdict, 'fail');
    });

    it('needs significance as well as size, samples on both sides, and comparable kinds', () => {
      // a PSI over the threshold from two small samples is noise, not a shift
      const small = judge(withPredictions(spread(100, 0, 1)), withPredictions(spread(100, 0.2, 1)), shiftCfg);
      const check = shiftOf(small)!;
      assert.ok(check.candidate.psi! > 0.25, String(check.candidate.psi));
      assert.equal(check.verdict, 'pass');
      assert.match(check.reason, /not significant/);
      const few = judge(withPredictions(spread(1000, 0, 1)), withPredictions(spread(50, 0.5, 1)), shiftCfg);
      assert.equal(shiftOf(few)!.verdict, 'inconclusive');
      const mixed = judge(
        withPredictions(spread(200, 0, 1)),
        withPredictions(new Array<string>(200).fill('benign')),
        shiftCfg,
      );
      assert.match(shiftOf(mixed)!.reason, /not comparable/);
      assert.equal(mixed.verdict, 'pass', 'its lack of evidence never holds a step');
    });

    it('is not run unless configured, in shadow steps, or against an earlier step’s baseline', () => {
      const b = withPredictions(spread(1000, 0, 1));
      const c = withPredictions(spread(1000, 0.5, 1));
      assert.equal(shiftOf(judge(b, c, cfg)), undefined);
      assert.equal(shiftOf(judge(b, c, { ...shiftCfg, earlierBaseline: true })), undefined);
      const shadow = { ...c, shadowCompared: 500, shadowAgreed: 500 };
      assert.equal(shiftOf(judge(b, shadow, shiftCfg)), undefined);
    });
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
