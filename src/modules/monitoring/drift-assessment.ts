import { benjaminiHochberg, chiSquareHomogeneity, ksTwoSample, psi } from './drift-statistics.js';
import type { LiveCategorySummary, LiveNumericSummary, LiveSnapshot, LiveSummary } from './live-window.js';
import type {
  CategoryProfile,
  FeatureKind,
  FeatureProfile,
  NumericProfile,
  Profile,
} from './reference-profile.js';

export interface DriftOptions {
  /** live non-missing observations a column needs before it gets any verdict */
  minSamples: number;
  /** PSI from which a column is worth watching (the customary "moderate shift" line) */
  psiWatch: number;
  /** PSI from which a shift is large enough to act on, whatever the test says */
  psiAct: number;
  /** false discovery rate for the features of one assessment, after Benjamini-Hochberg */
  alpha: number;
}

/**
 * minSamples 200: below that PSI over 10 bins is mostly noise (~20 per bin) and the tests have
 * little power. PSI 0.1 / 0.25: the industry's usual "moderate" and "significant" lines.
 * alpha 0.05 as a false discovery rate: of the features flagged, about 5% are expected to be false.
 */
export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  minSamples: 200,
  psiWatch: 0.1,
  psiAct: 0.25,
  alpha: 0.05,
});

export const DRIFT_VERDICTS = ['insufficient_data', 'ok', 'watch', 'drift'] as const;
export type DriftVerdict = (typeof DRIFT_VERDICTS)[number];

export interface ColumnDrift {
  /** feature name; 'prediction' for the model output */
  feature: string;
  kind: FeatureKind;
  n_reference: number;
  n_live: number;
  /** null while the verdict is insufficient_data */
  psi: number | null;
  test: 'ks' | 'chi2';
  statistic: number | null;
  p_value: number | null;
  p_adjusted: number | null;
  verdict: DriftVerdict;
}

export interface DriftAssessment {
  features: ColumnDrift[];
  prediction: ColumnDrift;
  summary: { drifted_features: string[]; watch_features: string[]; prediction_drifted: boolean };
}

type Measured = Omit<ColumnDrift, 'p_adjusted' | 'verdict'>;

/**
 * Compares live traffic with the reference profile, column by column:
 * - numeric: KS test between the reference sample and the live sample, PSI over the reference bins;
 * - category: chi-square test of homogeneity (reference counts = share × n_reference) and PSI
 *   over the reference categories plus "other". Bins empty on both sides are left out of both.
 *
 * Multiple testing: the feature p-values of one assessment are one Benjamini-Hochberg family.
 * The prediction is its own family of one (p_adjusted = p_value): it is the signal people act on,
 * and pooling it with dozens of feature tests would make a real shift in the output harder to flag.
 *
 * Verdict (per column, with n_live ≥ minSamples and a non-empty reference; else insufficient_data):
 * - drift: PSI ≥ psiAct, or p_adjusted < alpha and PSI ≥ psiWatch;
 * - watch: PSI ≥ psiWatch, or p_adjusted < alpha with a small PSI;
 * - ok otherwise.
 * A significant p-value alone is not drift: with thousands of observations a test detects shifts
 * far too small to matter (p measures evidence, not size); PSI measures size, so a drift alert needs
 * both evidence and a shift worth acting on.
 */
export function assessDrift(
  profile: Profile,
  live: LiveSnapshot,
  options: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftAssessment {
  const minLive = Math.max(1, options.minSamples);
  const measured = Object.entries(profile.features).map(([name, ref]) =>
    measure(name, ref, liveColumn(live.features, name), minLive),
  );
  const adjusted = benjaminiHochberg(measured.map((m) => m.p_value ?? NaN));
  const features = measured.map((m, i) => judge(m, adjusted[i]!, options));
  const predictionMeasured = measure('prediction', profile.prediction, live.prediction, minLive);
  const prediction = judge(predictionMeasured, predictionMeasured.p_value ?? NaN, options);
  const named = (verdict: DriftVerdict) =>
    features.filter((f) => f.verdict === verdict).map((f) => f.feature);
  return {
    features,
    prediction,
    summary: {
      drifted_features: named('drift'),
      watch_features: named('watch'),
      prediction_drifted: prediction.verdict === 'drift',
    },
  };
}

function liveColumn(features: LiveSnapshot['features'], name: string): LiveSummary {
  const summary = Object.hasOwn(features, name) ? features[name] : undefined;
  if (!summary) throw new RangeError(`assessDrift: the live snapshot has no feature "${name}"`);
  return summary;
}

function measure(feature: string, ref: FeatureProfile, live: LiveSummary, minLive: number): Measured {
  if (ref.kind !== live.kind) {
    throw new RangeError(`assessDrift: "${feature}" is ${ref.kind} in the profile but ${live.kind} live`);
  }
  const base = {
    feature,
    kind: ref.kind,
    n_reference: ref.count,
    n_live: live.count,
    test: ref.kind === 'numeric' ? ('ks' as const) : ('chi2' as const),
  };
  if (live.count < minLive || ref.count === 0) return { ...base, psi: null, statistic: null, p_value: null };
  const result =
    ref.kind === 'numeric'
      ? measureNumeric(ref, live as LiveNumericSummary)
      : measureCategory(ref, live as LiveCategorySummary);
  return { ...base, ...result };
}

function measureNumeric(ref: NumericProfile, live: LiveNumericSummary) {
  const ks = ksTwoSample(ref.sample, live.sample);
  return { psi: psiOfNonEmpty(ref.shares, live.bin_counts), statistic: ks.statistic, p_value: ks.pValue };
}

function measureCategory(ref: CategoryProfile, live: LiveCategorySummary) {
  const keys = Object.keys(ref.shares);
  const shares = [...keys.map((k) => ref.shares[k]!), ref.other_share];
  const liveCounts = [
    ...keys.map((k) => (Object.hasOwn(live.counts, k) ? live.counts[k]! : 0)),
    live.other_count,
  ];
  const chi2 = chiSquareHomogeneity(
    shares.map((s) => s * ref.count),
    liveCounts,
  );
  return { psi: psiOfNonEmpty(shares, liveCounts), statistic: chi2.statistic, p_value: chi2.pValue };
}

/** PSI without the bins empty on both sides: they add nothing, and would trigger smoothing everywhere. */
function psiOfNonEmpty(shares: readonly number[], counts: readonly number[]): number {
  const keep = shares.map((s, i) => s > 0 || counts[i]! > 0);
  return psi(
    shares.filter((_, i) => keep[i]),
    counts.filter((_, i) => keep[i]),
  ).psi;
}

function judge(m: Measured, pAdjusted: number, o: DriftOptions): ColumnDrift {
  if (m.psi === null || m.p_value === null) return { ...m, p_adjusted: null, verdict: 'insufficient_data' };
  return { ...m, p_adjusted: pAdjusted, verdict: driftVerdict(m.psi, pAdjusted, o) };
}

/** The verdict rule of assessDrift for a column with enough data (see there for why). */
export function driftVerdict(
  psiValue: number,
  pAdjusted: number,
  o: DriftOptions = DEFAULT_DRIFT_OPTIONS,
): DriftVerdict {
  const significant = pAdjusted < o.alpha;
  if (psiValue >= o.psiAct || (significant && psiValue >= o.psiWatch)) return 'drift';
  if (psiValue >= o.psiWatch || significant) return 'watch';
  return 'ok';
}
