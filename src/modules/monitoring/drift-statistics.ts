import { chiSquareSf } from './chi-square-sf.js';
import { kolmogorovSf } from './kolmogorov-sf.js';
import { gcd, ksExactPValue } from './ks-exact-p-value.js';

/**
 * The statistics behind drift detection: the Population Stability Index (an effect size), the
 * two-sample Kolmogorov-Smirnov test (numeric features), the chi-square test of homogeneity
 * (categorical features) and the Benjamini-Hochberg correction across the tests of one
 * assessment. Pure functions; the tests compare them with SciPy.
 */

export interface PsiBin {
  /** reference share of the bin, after smoothing */
  expected: number;
  /** live share of the bin, after smoothing */
  actual: number;
  /** (actual − expected)·ln(actual/expected), never negative */
  contribution: number;
}

export interface PsiResult {
  psi: number;
  bins: PsiBin[];
}

/**
 * Population Stability Index over the same bins: PSI = Σᵢ (aᵢ − eᵢ)·ln(aᵢ/eᵢ), with eᵢ the
 * reference shares (normalised to sum to 1) and aᵢ = countᵢ/Σ counts the live shares.
 *
 * Smoothing: a zero share on either side makes ln(a/e) infinite, so when ANY share on EITHER side is
 * zero, every share on both sides becomes (share + ε)/(1 + k·ε) for k bins; with no zero share the
 * shares are used as they are, so a hand computation matches exactly.
 *
 * Worked example: e = [0.5, 0.5], counts [60, 40] → a = [0.6, 0.4];
 * PSI = 0.1·ln(1.2) + (−0.1)·ln(0.8) = 0.018232 + 0.022314 = 0.040546.
 *
 * Throws RangeError on empty or mismatched inputs, negative or non-finite values, or a side
 * summing to zero (no reference or no live observations: there is nothing to compare).
 */
export function psi(expectedShares: number[], actualCounts: number[], epsilon = 1e-4): PsiResult {
  const k = expectedShares.length;
  if (k === 0 || actualCounts.length !== k) {
    throw new RangeError(`psi needs the same non-zero number of bins, got ${k} and ${actualCounts.length}`);
  }
  if (!(epsilon > 0)) throw new RangeError(`psi: epsilon must be > 0, got ${epsilon}`);
  let e = toShares(expectedShares, 'expected shares');
  let a = toShares(actualCounts, 'actual counts');
  if (e.includes(0) || a.includes(0)) {
    const smooth = (x: number) => (x + epsilon) / (1 + k * epsilon);
    e = e.map(smooth);
    a = a.map(smooth);
  }
  const bins = e.map((expected, i) => {
    const actual = a[i]!;
    return { expected, actual, contribution: (actual - expected) * Math.log(actual / expected) };
  });
  return { psi: bins.reduce((sum, b) => sum + b.contribution, 0), bins };
}

function toShares(values: readonly number[], what: string): number[] {
  if (values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new RangeError(`psi: ${what} must be finite and non-negative`);
  }
  const total = values.reduce((s, v) => s + v, 0);
  if (total === 0) throw new RangeError(`psi: ${what} sum to zero`);
  return values.map((v) => v / total);
}

export interface KsResult {
  /** D = max over x of |F_a(x) − F_b(x)| (empirical CDFs) */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** SciPy 1.10's ks_2samp(method='auto') is exact while max(n₁, n₂) ≤ 10 000. */
const KS_EXACT_MAX_N = 10_000;

/**
 * Two-sided two-sample Kolmogorov-Smirnov test, matching scipy.stats.ks_2samp(a, b) (SciPy 1.10,
 * method='auto'). D is evaluated at every observed value after all its ties, so ties are exact.
 * - exact when max(n₁, n₂) ≤ 10 000 (SciPy's rule; not n₁·n₂): see ksExactPValue;
 * - otherwise, or if the exact value is not a finite probability, asymptotic: the one-sample
 *   Kolmogorov distribution at n = round(n₁n₂/(n₁+n₂)) (half to even, like numpy): kstwo.sf.
 *
 * Example: a = [1, 2, 3], b = [4, 5] → D = 1 and p = 2/C(5, 2) = 0.2 (only the 2 fully separated
 * orderings of 5 values are this extreme).
 *
 * Throws RangeError for an empty sample or a NaN (SciPy would sort NaN last and silently give a
 * meaningless D). ±Infinity are ordinary values for a rank test.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const x = sortedSample(a, 'first');
  const y = sortedSample(b, 'second');
  const n1 = x.length;
  const n2 = y.length;
  // D·n₁·n₂ = max |i·n₂ − j·n₁| over the merged order, an integer: no rounding in the statistic
  let widest = 0;
  for (let i = 0, j = 0; i < n1 && j < n2;) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    widest = Math.max(widest, Math.abs(i * n2 - j * n1));
  }
  const g = gcd(n1, n2);
  const h = widest / g; // in units of 1/lcm(n₁, n₂)
  const statistic = h / ((n1 / g) * n2);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const p = ksExactPValue(n1, n2, h);
    if (p >= 0 && p <= 1) return { statistic, pValue: p, method: 'exact' };
  }
  const en = roundHalfEven((n1 * n2) / (n1 + n2));
  return { statistic, pValue: kolmogorovSf(en, statistic), method: 'asymptotic' };
}

function sortedSample(values: readonly number[], which: string): number[] {
  if (values.length === 0) throw new RangeError(`ksTwoSample: the ${which} sample is empty`);
  if (values.some(Number.isNaN)) throw new RangeError(`ksTwoSample: the ${which} sample contains NaN`);
  return [...values].sort((p, q) => p - q);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface ChiSquareResult {
  statistic: number;
  /** degrees of freedom: (non-empty categories) − 1 */
  df: number;
  pValue: number;
}

/**
 * Chi-square test of homogeneity: do two samples of a categorical variable come from one
 * distribution? The 2×k table [ref; live], expected cell = row total·column total/N,
 * X² = Σ (observed − expected)²/expected, df = k − 1, p = P(χ²_df ≥ X²). Categories empty in both
 * samples are dropped (they carry no information and would divide by zero). No Yates continuity
 * correction: scipy.stats.chi2_contingency applies it only when dof = 1, and we compare with
 * chi2_contingency(table, correction=False), so the statistic is the same for every k.
 *
 * Counts may be fractional (a reference reconstructed as share × n). With one non-empty category
 * there is nothing to test: statistic 0, df 0, p = 1 (as SciPy).
 *
 * Example: ref [10, 10], live [20, 0]: N = 40, expected [15, 5; 15, 5],
 * X² = 25/15 + 25/5 + 25/15 + 25/5 = 13.333, df 1, p = 0.000261.
 *
 * Throws RangeError for empty or mismatched inputs, negative or non-finite counts, or a sample
 * with no observations.
 */
export function chiSquareHomogeneity(refCounts: number[], liveCounts: number[]): ChiSquareResult {
  if (refCounts.length === 0 || liveCounts.length !== refCounts.length) {
    throw new RangeError(
      `chiSquareHomogeneity needs the same non-zero number of categories, got ${refCounts.length} and ${liveCounts.length}`,
    );
  }
  if ([...refCounts, ...liveCounts].some((c) => !Number.isFinite(c) || c < 0)) {
    throw new RangeError('chiSquareHomogeneity: counts must be finite and non-negative');
  }
  const columns = refCounts.map((r, i) => [r, liveCounts[i]!] as const).filter(([r, l]) => r + l > 0);
  const refTotal = columns.reduce((s, [r]) => s + r, 0);
  const liveTotal = columns.reduce((s, [, l]) => s + l, 0);
  if (refTotal === 0 || liveTotal === 0) {
    throw new RangeError('chiSquareHomogeneity: both samples need at least one observation');
  }
  const df = columns.length - 1;
  if (df === 0) return { statistic: 0, df: 0, pValue: 1 };
  const total = refTotal + liveTotal;
  let statistic = 0;
  for (const [r, l] of columns) {
    const expectedRef = (refTotal * (r + l)) / total;
    const expectedLive = (liveTotal * (r + l)) / total;
    statistic += (r - expectedRef) ** 2 / expectedRef + (l - expectedLive) ** 2 / expectedLive;
  }
  return { statistic, df, pValue: chiSquareSf(statistic, df) };
}

/**
 * Benjamini-Hochberg adjusted p-values (false discovery rate), in input order, as
 * scipy.stats.false_discovery_control(p, method='bh'): with p₍₁₎ ≤ … ≤ p₍ₘ₎,
 * p̃₍ᵢ₎ = min_{j ≥ i} min(1, p₍ⱼ₎·m/j), so the adjusted values keep the order of the raw ones and
 * tied raw values get the same adjusted value.
 *
 * NaN p-values (a test that could not run) stay NaN and do not count in m: a feature without a
 * test should not make the others harder to flag. Empty input gives []. Values outside [0, 1]
 * throw RangeError.
 *
 * Example: [0.01, 0.04, 0.03] → sorted 0.01·3/1, 0.03·3/2, 0.04·3/3 = 0.03, 0.045, 0.04;
 * running minimum from the top → [0.03, 0.04, 0.04].
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  if (pValues.some((p) => p < 0 || p > 1))
    throw new RangeError('benjaminiHochberg: p-values must be in [0, 1]');
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => !Number.isNaN(p))
    .sort((u, v) => u.p - v.p);
  const m = order.length;
  const adjusted = pValues.map(() => NaN);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * m) / rank);
    adjusted[i] = running;
  }
  return adjusted;
}
