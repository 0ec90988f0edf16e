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
  /** 2^(k−1): the first step of `searchBin` (0 when there are no edges) */
  half: number;
  /** the reference profile's categories → position in CategoryTally.counts */
  categories: Map<string, number>;
}

export function column(name: string, profile: FeatureProfile): Column {
  if (profile.kind === 'numeric') {
    let padded = 0;
    while (padded < profile.edges.length) padded = 2 * padded + 1;
    const search = new Float64Array(padded).fill(Infinity);
    search.set(profile.edges);
    return { name, kind: 'numeric', edges: profile.edges, search, half: (padded + 1) / 2, categories: new Map() };
  }
  const keys = Object.keys(profile.shares);
  return {
    name,
    kind: 'category',
    edges: [],
    search: new Float64Array(0),
    half: 0,
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

/**
 * Records one value of a row. `u` is the row's uniform draw in [0, 1), shared by all its columns:
 * each column's reservoir is still Algorithm R over its own values (the draws of successive rows
 * are independent), at one draw per row instead of one per value; the columns' samples then come
 * from the same rows, as a sample of rows would.
 */
export function record(tally: Tally, col: Column, value: unknown, u: number): void {
  if (tally.kind === 'category') {
    const key = categoryKey(value);
    if (key === undefined) return void tally.missing++;
    tally.count++;
    const at = col.categories.get(key);
    if (at === undefined) tally.other++;
    else tally.counts[at]!++;
    return;
  }
  // same rule as the reference profile: only finite numbers are values
  if (typeof value !== 'number' || !Number.isFinite(value)) return void tally.missing++;
  tally.count++;
  const delta = value - tally.mean;
  tally.mean += delta / tally.count;
  tally.m2 += delta * (value - tally.mean); // Welford
  tally.min = Math.min(tally.min, value);
  tally.max = Math.max(tally.max, value);
  tally.bins[searchBin(col.search, col.half, value)]!++;
  reservoir(tally.reservoir, tally.count, value, RESERVOIR, u);
}

/**
 * `binIndex` without a branch on the data: the number of edges below x, found in k steps over
 * the edges padded with +Infinity to 2^k − 1 (each step adds its width when x is above the edge
 * that ends it). Bisection mispredicts about half its branches on real data, comparing with
 * every edge costs one comparison per edge: on 9 edges 18, 7 and (this) ~3 ns per value.
 */
export function searchBin(search: Float64Array, half: number, x: number): number {
  let below = 0;
  for (let step = half; step > 0; step >>= 1) below += Number(x > search[below + step - 1]!) * step;
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
  const moments = nums.reduce(mergeMoments, { count: 0, mean: 0, m2: 0 });
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

function mergeMoments(a: Moments, b: Moments): Moments {
  const count = a.count + b.count;
  if (b.count === 0) return a;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
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
