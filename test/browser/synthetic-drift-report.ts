// A realistic drift report for browser tests: the 30 numeric features of the Wisconsin
// breast-cancer data (reference means and deviations of the real set), a category feature and a
// numeric prediction, drawn from a seeded generator so every run renders the same page.
import { mulberry32, standardNormal } from '../../src/shared/seeded-random.js';
import type { DriftColumnReport, DriftReport, DriftVerdict } from '../../src/modules/reports/drift-report.js';

/** [name, mean, std] of the 569-row data set. */
const BREAST_CANCER: Array<[string, number, number]> = [
  ['mean radius', 14.127, 3.524],
  ['mean texture', 19.29, 4.301],
  ['mean perimeter', 91.97, 24.3],
  ['mean area', 654.9, 351.9],
  ['mean smoothness', 0.09636, 0.01406],
  ['mean compactness', 0.1043, 0.05281],
  ['mean concavity', 0.0888, 0.07972],
  ['mean concave points', 0.04892, 0.0388],
  ['mean symmetry', 0.1812, 0.02741],
  ['mean fractal dimension', 0.0628, 0.00706],
  ['radius error', 0.4052, 0.2773],
  ['texture error', 1.217, 0.5516],
  ['perimeter error', 2.866, 2.022],
  ['area error', 40.34, 45.49],
  ['smoothness error', 0.007041, 0.003003],
  ['compactness error', 0.02548, 0.01791],
  ['concavity error', 0.03189, 0.03019],
  ['concave points error', 0.0118, 0.00617],
  ['symmetry error', 0.02054, 0.008266],
  ['fractal dimension error', 0.003795, 0.002646],
  ['worst radius', 16.27, 4.833],
  ['worst texture', 25.68, 6.146],
  ['worst perimeter', 107.3, 33.6],
  ['worst area', 880.6, 569.4],
  ['worst smoothness', 0.1324, 0.02283],
  ['worst compactness', 0.2543, 0.1573],
  ['worst concavity', 0.2722, 0.2086],
  ['worst concave points', 0.1146, 0.06573],
  ['worst symmetry', 0.2901, 0.06187],
  ['worst fractal dimension', 0.08395, 0.01806],
];

export const DRIFTED_FEATURE = 'mean concave points';
export const WATCHED_FEATURE = 'worst texture';
const SHIFT: Record<string, number> = { [DRIFTED_FEATURE]: 1.2, [WATCHED_FEATURE]: 0.4 };
const CLINICS = ['north', 'south', `St. Mary's & "Royal"`, 'east'];
const OPTIONS = { min_samples: 200, psi_watch: 0.1, psi_act: 0.25, alpha: 0.05 };
const N_REFERENCE = 569;
const N_LIVE = 1000;

function psi(reference: number[], live: number[]): number {
  return reference.reduce((sum, r, i) => {
    const [e, a] = [Math.max(r, 1e-4), Math.max(live[i] ?? 0, 1e-4)];
    return sum + (a - e) * Math.log(a / e);
  }, 0);
}

function verdict(psiValue: number, p: number): DriftVerdict {
  const significant = p < OPTIONS.alpha;
  if (psiValue >= OPTIONS.psi_act || (significant && psiValue >= OPTIONS.psi_watch)) return 'drift';
  return psiValue >= OPTIONS.psi_watch || significant ? 'watch' : 'ok';
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const round = (x: number) => Number(x.toPrecision(4));

function numericColumn(
  feature: string,
  ref: number[],
  live: number[],
  p: number,
  adjusted: number,
): DriftColumnReport {
  const sorted = [...ref].sort((a, b) => a - b);
  const edges = [
    ...new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => round(sorted[Math.floor((k / 10) * sorted.length)]!))),
  ];
  const shares = (xs: number[]) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const x of xs) {
      const i = edges.findIndex((e) => x <= e);
      counts[i === -1 ? edges.length : i]! += 1;
    }
    return counts.map((c) => c / xs.length);
  };
  const [r, l] = [shares(ref), shares(live)];
  const bounds = ['-∞', ...edges.map(String), '∞'];
  const value = psi(r, l);
  return {
    feature,
    kind: 'numeric',
    n_reference: ref.length,
    n_live: live.length,
    psi: value,
    test: 'ks',
    statistic: Math.max(
      ...r.map((_, i) =>
        Math.abs(r.slice(0, i + 1).reduce((a, b) => a + b, 0) - l.slice(0, i + 1).reduce((a, b) => a + b, 0)),
      ),
    ),
    p_value: p,
    p_adjusted: adjusted,
    verdict: verdict(value, adjusted),
    reference: { mean: mean(ref), std: std(ref), missing_share: 0 },
    live: { mean: mean(live), std: std(live), missing_share: 0.002 },
    bins: r.map((share, i) => ({
      label: `(${bounds[i]}, ${bounds[i + 1]}${i === edges.length ? ')' : ']'}`,
      reference: share,
      live: l[i]!,
    })),
  };
}

function categoryColumn(random: () => number): DriftColumnReport {
  const draw = (weights: number[], n: number) => {
    const counts = new Array<number>(CLINICS.length + 1).fill(0);
    for (let i = 0; i < n; i++) {
      let u = random();
      const k = weights.findIndex((w) => (u -= w) < 0);
      counts[k === -1 ? CLINICS.length : k]! += 1;
    }
    return counts.map((c) => c / n);
  };
  const r = draw([0.4, 0.3, 0.15, 0.1], N_REFERENCE);
  const l = draw([0.38, 0.31, 0.16, 0.1], N_LIVE);
  const value = psi(r, l);
  return {
    feature: 'clinic',
    kind: 'category',
    n_reference: N_REFERENCE,
    n_live: N_LIVE,
    psi: value,
    test: 'chi2',
    statistic: 3.1,
    p_value: 0.54,
    p_adjusted: 0.93,
    verdict: verdict(value, 0.93),
    reference: { mean: null, std: null, missing_share: 0.01 },
    live: { mean: null, std: null, missing_share: 0.012 },
    bins: [...CLINICS, 'other'].map((label, i) => ({ label, reference: r[i]!, live: l[i]! })),
  };
}

export function syntheticDriftReport(): DriftReport {
  const random = mulberry32(569);
  // log-normal with the data set's mean and deviation: positive and right-skewed, like the real
  // measurements; a shift moves the underlying normal by that many of its deviations
  const sample = (n: number, mu: number, sd: number, shift: number) => {
    const sigma = Math.sqrt(Math.log(1 + (sd / mu) ** 2));
    return Array.from(
      { length: n },
      () => mu * Math.exp(sigma * (shift + standardNormal(random)) - sigma ** 2 / 2),
    );
  };
  const features = BREAST_CANCER.map(([name, mu, sd]) => {
    const p = name === DRIFTED_FEATURE ? 2e-31 : name === WATCHED_FEATURE ? 0.04 : 0.05 + 0.95 * random();
    const [ref, live] = [sample(N_REFERENCE, mu, sd, 0), sample(N_LIVE, mu, sd, SHIFT[name] ?? 0)];
    return numericColumn(name, ref, live, p, Math.min(1, p * 3));
  });
  const logistic = (n: number, shift: number) =>
    Array.from({ length: n }, () => 1 / (1 + Math.exp(-(0.6 * standardNormal(random) - 0.5 + shift) * 3)));
  // the prediction is a family of one: its adjusted p is its p (significant here, so "watch")
  const prediction = numericColumn(
    'prediction',
    logistic(N_REFERENCE, 0),
    logistic(N_LIVE, 0.08),
    0.02,
    0.02,
  );
  const columns = [...features, categoryColumn(random), prediction];
  const named = (v: DriftVerdict) =>
    columns
      .slice(0, -1)
      .filter((c) => c.verdict === v)
      .map((c) => c.feature);
  return {
    model: 'breast-cancer',
    version: '1.4.0',
    assessed_at: '2025-03-14T09:26:53.000Z',
    window: { kind: 'count', size: N_LIVE, rows: N_LIVE },
    reference: {
      rows: N_REFERENCE,
      data_sha256: '9f2c1e7ab3d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e',
    },
    options: OPTIONS,
    summary: {
      drifted_features: named('drift'),
      watch_features: named('watch'),
      prediction_drifted: prediction.verdict === 'drift',
    },
    columns,
  };
}
