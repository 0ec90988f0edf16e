import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assessDrift,
  DEFAULT_DRIFT_OPTIONS,
  driftVerdict,
  type DriftAssessment,
} from './drift-assessment.js';
import { LiveWindow } from './live-window.js';
import { buildProfile, type FeatureKind } from './reference-profile.js';
import { mulberry32, standardNormal } from '../../shared/seeded-random.js';

const features: Array<{ name: string; kind: FeatureKind }> = [
  { name: 'x1', kind: 'numeric' },
  { name: 'x2', kind: 'numeric' },
  { name: 'colour', kind: 'category' },
];

interface Scenario {
  /** added to x1, in standard deviations */
  shift: number;
  /** P(red), P(green); blue takes the rest */
  colours: [number, number];
}

const REFERENCE: Scenario = { shift: 0, colours: [0.5, 0.3] };

/** x1 ~ N(shift, 1), x2 ~ N(10, 2), colour categorical; the model scores sigmoid(x1). */
function draw(random: () => number, s: Scenario) {
  const x1 = s.shift + standardNormal(random);
  const x2 = 10 + 2 * standardNormal(random);
  const u = random();
  const colour = u < s.colours[0] ? 'red' : u < s.colours[0] + s.colours[1] ? 'green' : 'blue';
  return { row: { x1, x2, colour }, prediction: 1 / (1 + Math.exp(-x1)) };
}

function assess(live: Scenario, n: number, seed: number): DriftAssessment {
  const random = mulberry32(seed);
  const reference = Array.from({ length: 5000 }, () => draw(random, REFERENCE));
  const profile = buildProfile(
    reference.map((r) => r.row),
    features,
    reference.map((r) => r.prediction),
  );
  const window = new LiveWindow(profile, { kind: 'count', size: 2000 }, { now: () => 0, random });
  for (let i = 0; i < n; i++) {
    const { row, prediction } = draw(random, live);
    window.observe(row, prediction);
  }
  return assessDrift(profile, window.snapshot());
}

const verdicts = (a: DriftAssessment) =>
  Object.fromEntries([...a.features, a.prediction].map((f) => [f.feature, f.verdict]));

describe('assessDrift on synthetic traffic', () => {
  it('flags a feature shifted by one standard deviation, and the prediction it drives', () => {
    const a = assess({ shift: 1, colours: [0.5, 0.3] }, 2000, 1);
    assert.deepEqual(verdicts(a), { x1: 'drift', x2: 'ok', colour: 'ok', prediction: 'drift' });
    assert.deepEqual(a.summary, { drifted_features: ['x1'], watch_features: [], prediction_drifted: true });
    const x1 = a.features[0]!;
    assert.deepEqual([x1.test, x1.n_reference, x1.n_live], ['ks', 5000, 2000]);
    // PSI ≈ shift² for a normal shift; the KS statistic ≈ 2Φ(½) − 1 = 0.383
    assert.ok(x1.psi! > 0.7 && x1.psi! < 1.3, String(x1.psi));
    assert.ok(x1.statistic! > 0.33 && x1.statistic! < 0.43, String(x1.statistic));
    assert.ok(x1.p_adjusted! < 1e-10);
    const x2 = a.features[1]!;
    assert.ok(x2.psi! < 0.02 && x2.p_adjusted! > 0.05, JSON.stringify(x2));
    assert.equal(a.features[2]!.test, 'chi2');
  });

  it('flags a change in a categorical mix', () => {
    const a = assess({ shift: 0, colours: [0.2, 0.3] }, 2000, 2);
    assert.deepEqual(verdicts(a), { x1: 'ok', x2: 'ok', colour: 'drift', prediction: 'ok' });
    const colour = a.features[2]!;
    // red 0.5 → 0.2 and blue 0.2 → 0.5: PSI ≈ 2·0.3·ln(2.5) = 0.55
    assert.ok(colour.psi! > 0.45 && colour.psi! < 0.65, String(colour.psi));
    assert.equal(colour.n_live, 2000);
    assert.ok(colour.p_value! < 1e-10);
  });

  it('says nothing below minSamples', () => {
    const a = assess({ shift: 3, colours: [0.1, 0.1] }, DEFAULT_DRIFT_OPTIONS.minSamples - 1, 3);
    assert.deepEqual(verdicts(a), {
      x1: 'insufficient_data',
      x2: 'insufficient_data',
      colour: 'insufficient_data',
      prediction: 'insufficient_data',
    });
    assert.deepEqual(a.summary, { drifted_features: [], watch_features: [], prediction_drifted: false });
    assert.deepEqual(
      [a.features[0]!.psi, a.features[0]!.p_value, a.features[0]!.p_adjusted, a.features[0]!.n_live],
      [null, null, null, 199],
    );
  });

  it('rejects a snapshot taken against another profile', () => {
    const random = mulberry32(4);
    const rows = Array.from({ length: 10 }, () => draw(random, REFERENCE));
    const profile = buildProfile(
      rows.map((r) => r.row),
      features,
      rows.map((r) => r.prediction),
    );
    const other = buildProfile(
      rows.map((r) => r.row),
      features.slice(1),
      rows.map((r) => r.prediction),
    );
    const snapshot = new LiveWindow(other, { kind: 'count', size: 10 }, { now: () => 0, random }).snapshot();
    assert.throws(() => assessDrift(profile, snapshot), /no feature "x1"/);
  });
});

describe('driftVerdict (defaults: watch 0.1, act 0.25, alpha 0.05)', () => {
  const cases: Array<[number, number, string, string]> = [
    [0.02, 0.5, 'ok', 'small and not significant'],
    [0.02, 0.001, 'watch', 'significant but small: a large sample sees tiny shifts'],
    [0.15, 0.5, 'watch', 'moderate, not significant'],
    [0.15, 0.01, 'drift', 'moderate and significant'],
    [0.1, 0.049, 'drift', 'at the watch line and significant'],
    [0.3, 0.9, 'drift', 'large, whatever the test says'],
    [0.25, 1, 'drift', 'at the act line'],
  ];
  for (const [psi, p, verdict, name] of cases) it(name, () => assert.equal(driftVerdict(psi, p), verdict));
});
