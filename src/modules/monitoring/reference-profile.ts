/**
 * A reference profile: what a model's inputs and predictions looked like in a reference sample
 * (typically the training or validation data), summarised once and stored as JSON. Live traffic
 * is later binned with the same edges and categories (see LiveWindow) and compared with it.
 */

export type FeatureKind = 'numeric' | 'category';

/** Reference values kept per numeric feature for the KS test (all of them when there are fewer). */
export const SAMPLE_SIZE = 1000;
/** Categories kept by name per categorical feature; the rest are pooled as "other". */
export const MAX_CATEGORIES = 20;
const DEFAULT_BINS = 10;

export interface NumericProfile {
  kind: 'numeric';
  /** non-missing values */
  count: number;
  /** missing / (count + missing); 0 when there are no values at all */
  missing_share: number;
  /** null when count = 0 */
  mean: number | null;
  /** sample standard deviation (ddof = 1); null when count < 2 */
  std: number | null;
  min: number | null;
  max: number | null;
  /** interior cut points, ascending, no duplicates */
  edges: number[];
  /** edges.length + 1 shares of the bins (−∞, e₀], (e₀, e₁], …, (e_last, +∞); all 0 when count = 0 */
  shares: number[];
  /** sorted; every value when count ≤ SAMPLE_SIZE, else SAMPLE_SIZE evenly spaced order statistics */
  sample: number[];
}

export interface CategoryProfile {
  kind: 'category';
  count: number;
  missing_share: number;
  /** the MAX_CATEGORIES most frequent values (ties: ascending value) and their shares of count */
  shares: Record<string, number>;
  /** share of the values not listed in shares */
  other_share: number;
}

export type FeatureProfile = NumericProfile | CategoryProfile;

export interface Profile {
  features: Record<string, FeatureProfile>;
  prediction: FeatureProfile;
  rows: number;
}

/**
 * Bin of x for interior edges e (ascending): the smallest i with x ≤ eᵢ, else edges.length, by
 * binary search. Example: edges [1, 2] → binIndex(edges, 1) = 0, binIndex(edges, 1.5) = 1,
 * binIndex(edges, 9) = 2.
 */
export function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Quantile q of ascending values with numpy.quantile's default method='linear' (Hyndman & Fan
 * type 7): position p = q·(n − 1), lo = ⌊p⌋, t = p − lo, value = x_lo + (x_{lo+1} − x_lo)·t,
 * computed as x_{lo+1} − (x_{lo+1} − x_lo)·(1 − t) when t ≥ ½, as numpy does, so edges agree with
 * numpy to the last bit (a value equal to an edge must land in the same bin).
 * Example: [1, 2, 3, 4] at q = 0.5 → p = 1.5 → 2 + (3 − 2)·0.5 = 2.5.
 */
export function linearQuantile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const position = (n - 1) * q;
  const lo = Math.floor(position);
  if (lo >= n - 1) return sorted[n - 1]!;
  const t = position - lo;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/** Interior quantiles at 1/bins, …, (bins−1)/bins of ascending values, duplicates removed. */
export function quantileEdges(sorted: readonly number[], bins = DEFAULT_BINS): number[] {
  if (sorted.length === 0) return [];
  const quantiles = Array.from({ length: bins - 1 }, (_, i) => linearQuantile(sorted, (i + 1) / bins));
  return [...new Set(quantiles)].sort((a, b) => a - b);
}

/**
 * Profile of one numeric feature. null, NaN and ±Infinity count as missing: an infinite value
 * could be binned but would make the mean and std meaningless. Edges are the interior quantiles at
 * 1/bins, …, (bins−1)/bins with duplicates removed: a constant feature c keeps the single edge c,
 * bins (−∞, c] and (c, ∞), so live values above c still show; with bins = 1 there are no edges.
 */
export function buildNumericProfile(
  values: ReadonlyArray<number | null>,
  bins = DEFAULT_BINS,
): NumericProfile {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const sorted = present.sort((a, b) => a - b);
  const count = sorted.length;
  const missing = values.length - count;
  const missing_share = values.length === 0 ? 0 : missing / values.length;
  if (count === 0) {
    return {
      kind: 'numeric',
      count,
      missing_share,
      mean: null,
      std: null,
      min: null,
      max: null,
      edges: [],
      shares: [0],
      sample: [],
    };
  }
  const edges = quantileEdges(sorted, bins);
  const binCounts = new Array<number>(edges.length + 1).fill(0);
  for (const x of sorted) binCounts[binIndex(edges, x)]!++;
  const { mean, std } = meanAndStd(sorted);
  return {
    kind: 'numeric',
    count,
    missing_share,
    mean,
    std,
    min: sorted[0]!,
    max: sorted[count - 1]!,
    edges,
    shares: binCounts.map((c) => c / count),
    sample: evenlySpaced(sorted, SAMPLE_SIZE),
  };
}

/** Two-pass mean and sample std (ddof = 1): Σ(x − mean)² does not cancel the way Σx² − n·mean² does. */
function meanAndStd(values: readonly number[]): { mean: number; std: number | null } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, std: null };
  const squares = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)) };
}

/**
 * Up to `size` order statistics at ranks round(i·(n−1)/(size−1)), i = 0…size−1: deterministic,
 * keeps min and max, and follows the empirical distribution to within 1/size.
 */
function evenlySpaced(sorted: readonly number[], size: number): number[] {
  const n = sorted.length;
  if (n <= size) return [...sorted];
  if (size < 2) return sorted.slice(0, size);
  return Array.from({ length: size }, (_, i) => sorted[Math.round((i * (n - 1)) / (size - 1))]!);
}

/** The key a categorical value is counted under; undefined for a missing value (null, undefined, NaN, objects). */
export function categoryKey(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : String(value);
  return undefined;
}

/**
 * Profile of one categorical feature. Values are counted by String(value), so 1 and '1' are the
 * same category; null, undefined and NaN are missing.
 */
export function buildCategoryProfile(
  values: ReadonlyArray<string | number | boolean | null>,
): CategoryProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    const key = categoryKey(v);
    if (key === undefined) missing++;
    else counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const count = values.length - missing;
  const top = [...counts]
    .sort(([ka, ca], [kb, cb]) => cb - ca || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .slice(0, MAX_CATEGORIES);
  const kept = top.reduce((s, [, c]) => s + c, 0);
  return {
    kind: 'category',
    count,
    missing_share: values.length === 0 ? 0 : missing / values.length,
    // fromEntries defines own properties, so a category named "__proto__" is stored, not lost
    shares: Object.fromEntries(top.map(([k, c]) => [k, c / count])),
    other_share: count === 0 ? 0 : (count - kept) / count,
  };
}

/**
 * Profile of a reference sample: one profile per declared feature (values read from each row by
 * name; a numeric feature takes only numbers, anything else is missing) and one for the
 * predictions, numeric when they are numbers (a regression value or a positive-class
 * probability), categorical when they are strings (labels).
 */
export function buildProfile(
  rows: ReadonlyArray<Record<string, unknown>>,
  features: ReadonlyArray<{ name: string; kind: FeatureKind }>,
  predictions: ReadonlyArray<number | string>,
): Profile {
  if (rows.length === 0) throw new RangeError('buildProfile: the reference sample has no rows');
  if (predictions.length !== rows.length) {
    throw new RangeError(`buildProfile: ${rows.length} rows but ${predictions.length} predictions`);
  }
  const names = new Set(features.map((f) => f.name));
  if (names.size !== features.length) throw new RangeError('buildProfile: feature names must be unique');
  const profiles = features.map(({ name, kind }) => {
    const column = rows.map((row) => row[name]);
    const profile =
      kind === 'numeric'
        ? buildNumericProfile(column.map((v) => (typeof v === 'number' ? v : null)))
        : buildCategoryProfile(column.map(asCategoryValue));
    return [name, profile] as const;
  });
  return {
    features: Object.fromEntries(profiles),
    prediction: predictionProfile(predictions),
    rows: rows.length,
  };
}

function asCategoryValue(v: unknown): string | number | boolean | null {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null;
}

function predictionProfile(predictions: ReadonlyArray<number | string>): FeatureProfile {
  if (predictions.every((p) => typeof p === 'number')) return buildNumericProfile(predictions);
  if (predictions.every((p) => typeof p === 'string')) return buildCategoryProfile(predictions);
  throw new RangeError('buildProfile: predictions must be all numbers or all strings');
}
