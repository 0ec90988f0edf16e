import { reservoir } from '../../shared/reservoir.js';
import { categoryKey, type FeatureProfile } from './reference-profile.js';

/**
 * What one pane of a LiveWindow keeps per column, how a value is recorded, and how panes merge
 * into the summary a snapshot reports. Split from live-window.ts to keep the ring logic apart.
 */

/** Values kept per pane and numeric column for the KS test (reservoir sampling, Algorithm R). */
export const RESERVOIR = 200;

export interface LiveNumericSummary {
  kind: 'numeric';
  count: number;
  missing: number;
  missing_share: number;
  mean: number | null;
  /** sample standard deviation (ddof = 1); null when count < 2 */
  std: number | null;
  min: number | null;
  max: number | null;
  /** counts in the profile's bins (edges.length + 1) */
  bin_counts: number[];
  /** sorted sample of the window (all values while each pane has at most RESERVOIR) */
  sample: number[];
}

export interface LiveCategorySummary {
  kind: 'category';
  count: number;
  missing: number;
  missing_share: number;
  /** counts of the profile's categories */
  counts: Record<string, number>;
  /** values not among the profile's categories */
  other_count: number;
}

export type LiveSummary = LiveNumericSummary | LiveCategorySummary;

// Mean and M2 = Σ(x − mean)² rather than Σx and Σx²: with values far from zero (timestamps,
// prices) Σx² − n·mean² cancels catastrophically; panes still merge exactly (Chan et al. 1979).
export interface NumericTally {
  kind: 'numeric';
  count: number;
  missing: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  bins: number[];
  reservoir: number[];
}

export interface CategoryTally {
  kind: 'category';
  count: number;
  missing: number;
  counts: number[];
  other: number;
}

export type Tally = NumericTally | CategoryTally;

export interface Column {
  name: string;
  kind: FeatureProfile['kind'];
  /** the reference profile's interior bin edges (numeric) */
  edges: readonly number[];
  /** the edges padded with +Infinity to 2^k − 1 entries, for `searchBin` (numeric) */
  search: Float64Array;
  /** the reference profile's categories → position in CategoryTally.counts */
  categories: Map<string, number>;
}

export function column(name: string, profile: FeatureProfile): Column {
  if (profile.kind === 'numeric') {
    let padded = 0;
    while (padded < profile.edges.length) padded = 2 * padded + 1;
    const search = new Float64Array(padded).fill(Infinity);
    search.set(profile.edges);
    return { name, kind: 'numeric', edges: profile.edges, search, categories: new Map() };
  }
  const keys = Object.keys(profile.shares);
  return {
    name,
    kind: 'category',
    edges: [],
    search: new Float64Array(0),
    categories: new Map(keys.map((k, i) => [k, i])),
  };
}

export function emptyTally(col: Column): Tally {
  if (col.kind === 'category') {
    return {
      kind: 'category',
      count: 0,
      missing: 0,
      counts: new Array<number>(col.categories.size).fill(0),
      other: 0,
    };
  }
  const bins = new Array<number>(col.edges.length + 1).fill(0);
  return {
    kind: 'numeric',
    count: 0,
    missing: 0,
    mean: 0,
    m2: 0,
    min: Infinity,
    max: -Infinity,
    bins,
    reservoir: [],
  };
}

/** Records one value of a category column (its key as in the reference profile). */
export function recordCategory(tally: CategoryTally, col: Column, value: unknown): void {
  const key = categoryKey(value);
  if (key === undefined) return void tally.missing++;
  tally.count++;
  const at = col.categories.get(key);
  if (at === undefined) tally.other++;
  else tally.counts[at]!++;
}

/**
 * Records n values of a numeric column, `values[offset + k · stride]` for row k, one column at a
 * time (a loop over a typed array, no per-value call or type check): only finite numbers are
 * values, as in the reference profile (a caller writes anything else as NaN). `draws[k]` is row
 * k's uniform draw in [0, 1), shared by all the row's columns: each column's reservoir is still
 * Algorithm R over its own values (the draws of successive rows are independent), at one draw per
 * row instead of one per value, and the columns' samples come from the same rows, as a sample of
 * rows would. The moments of the n values (mean, then Σ(x − mean)² in a second pass) are merged
 * into the tally's (Chan et al.): the same numbers as Welford's update value by value, up to
 * rounding.
 */
export function recordColumn(
  tally: NumericTally,
  col: Column,
  values: Float64Array,
  offset: number,
  stride: number,
  n: number,
  draws: Float64Array,
): void {
  const { search } = col;
  const { bins, reservoir: sample } = tally;
  const before = tally.count;
  let count = before;
  let missing = tally.missing;
  let min = tally.min;
  let max = tally.max;
  let sum = 0;
  for (let k = 0, at = offset; k < n; k++, at += stride) {
    const x = values[at]!;
    // false for NaN and ±Infinity
    if (!(x - x === 0)) {
      missing++;
      continue;
    }
    count++;
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
    bins[searchBin(search, x)]!++;
    reservoir(sample, count, x, RESERVOIR, draws[k]!);
  }
  const added = count - before;
  if (added > 0) {
    // a sum of values near the largest doubles overflows where a running mean does not
    const mean = Number.isFinite(sum) ? sum / added : runningMean(values, offset, stride, n);
    let m2 = 0;
    for (let k = 0, at = offset; k < n; k++, at += stride) {
      const x = values[at]!;
      if (x - x === 0) m2 += (x - mean) * (x - mean);
    }
    mergeMomentsInto(tally, added, mean, m2);
  }
  tally.count = count;
  tally.missing = missing;
  tally.min = min;
  tally.max = max;
}

/** The mean of the finite values, updated value by value (no sum that could overflow). */
function runningMean(values: Float64Array, offset: number, stride: number, n: number): number {
  let mean = 0;
  let seen = 0;
  for (let k = 0, at = offset; k < n; k++, at += stride) {
    const x = values[at]!;
    if (x - x === 0) mean += (x - mean) / ++seen;
  }
  return mean;
}

/**
 * `binIndex` without a branch on the data: the number of edges below x, found in k steps over
 * the edges padded with +Infinity to 2^k − 1 (each step adds its width when x is above the edge
 * that ends it). Bisection mispredicts about half its branches on real data, comparing with
 * every edge costs one comparison per edge: on 9 edges 18, 7 and (this) ~3 ns per value.
 */
export function searchBin(search: Float64Array, x: number): number {
  let below = 0;
  let step = (search.length + 1) >> 1;
  // wide profiles step down to 16 in a loop; the usual sizes are unrolled (a loop costs 15% more
  // of observeMany), their conditions the same for every value of a column
  for (; step > 16; step >>= 1) below += Number(x > search[below + step - 1]!) * step;
  if (step >= 16) below += Number(x > search[below + 15]!) * 16;
  if (step >= 8) below += Number(x > search[below + 7]!) * 8;
  if (step >= 4) below += Number(x > search[below + 3]!) * 4;
  if (step >= 2) below += Number(x > search[below + 1]!) * 2;
  if (step >= 1) below += Number(x > search[below]!);
  return below;
}

export function summarise(col: Column, tallies: Tally[], random: () => number): LiveSummary {
  const count = tallies.reduce((s, t) => s + t.count, 0);
  const missing = tallies.reduce((s, t) => s + t.missing, 0);
  const missing_share = count + missing === 0 ? 0 : missing / (count + missing);
  if (col.kind === 'category') {
    const cats = tallies as CategoryTally[];
    const counts = [...col.categories].map(
      ([k, i]) => [k, cats.reduce((s, t) => s + t.counts[i]!, 0)] as const,
    );
    const other_count = cats.reduce((s, t) => s + t.other, 0);
    return {
      kind: 'category',
      count,
      missing,
      missing_share,
      counts: Object.fromEntries(counts),
      other_count,
    };
  }
  const nums = tallies as NumericTally[];
  const moments = { count: 0, mean: 0, m2: 0 };
  for (const t of nums) mergeMomentsInto(moments, t.count, t.mean, t.m2);
  return {
    kind: 'numeric',
    count,
    missing,
    missing_share,
    mean: count === 0 ? null : moments.mean,
    std: count < 2 ? null : Math.sqrt(moments.m2 / (count - 1)),
    min: count === 0 ? null : Math.min(...nums.map((t) => t.min)),
    max: count === 0 ? null : Math.max(...nums.map((t) => t.max)),
    bin_counts: Array.from({ length: col.edges.length + 1 }, (_, i) =>
      nums.reduce((s, t) => s + t.bins[i]!, 0),
    ),
    sample: mergeReservoirs(nums, random),
  };
}

type Moments = { count: number; mean: number; m2: number };

/**
 * Chan et al.'s merge of `count` values with this mean and m2 into `into`, in place: no object per
 * call (one per column and call of recordColumn was a tenth of a single-row request's allocations
 * under load). An empty side is skipped: for means past ~1e154, delta² · 0 is NaN.
 */
function mergeMomentsInto(into: Moments, count: number, mean: number, m2: number): void {
  if (count === 0) return;
  const total = into.count + count;
  if (into.count === 0) {
    into.mean = mean;
    into.m2 = m2;
  } else {
    const delta = mean - into.mean;
    into.mean = into.mean + (delta * count) / total;
    into.m2 = into.m2 + m2 + (delta * delta * into.count * count) / total;
  }
  into.count = total;
}

/**
 * Each reservoir samples its own pane, and busy panes hold no more values than quiet ones, so
 * concatenating them would over-weight quiet periods. Every pane contributes in proportion to its
 * count instead, at the highest rate all panes can afford: rate = min(reservoir/count).
 */
function mergeReservoirs(tallies: NumericTally[], random: () => number): number[] {
  const used = tallies.filter((t) => t.count > 0);
  const rate = Math.min(1, ...used.map((t) => t.reservoir.length / t.count));
  const out: number[] = [];
  for (const t of used) {
    const take = Math.min(t.reservoir.length, Math.round(rate * t.count));
    out.push(...randomSubset(t.reservoir, take, random));
  }
  return out.sort((a, b) => a - b);
}

/** `take` values chosen uniformly without replacement (partial Fisher-Yates on a copy). */
function randomSubset(values: readonly number[], take: number, random: () => number): number[] {
  if (take >= values.length) return [...values];
  const copy = [...values];
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, take);
}
