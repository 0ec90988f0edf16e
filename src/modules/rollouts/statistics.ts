import { nearestRank } from '../../shared/nearest-rank.js';

/**
 * The few statistics the rollout judge needs, written out so each is visible and tested: the
 * normal distribution, a one-sided test that one proportion exceeds another by more than a margin,
 * and a one-sided Mann-Whitney U test (is one sample stochastically larger than another?).
 */

/** Standard normal CDF (W. J. Cody's erfc rational approximation via Math; |error| < 1e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes erfc (Chebyshev), relative error < 1.2e-7 everywhere
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface ProportionTest {
  /** candidate proportion − baseline proportion */
  difference: number;
  z: number;
  /** one-sided p-value for H0: difference ≤ margin */
  p: number;
}

/**
 * Is the candidate's rate higher than the baseline's by more than `margin`? Wald z-test on the
 * difference with unpooled variance (the null is a shifted difference, so pooling does not apply).
 * Zero variance (both rates 0 or 1) falls back to comparing the difference with the margin.
 */
export function proportionExceeds(
  baseline: { successes: number; n: number },
  candidate: { successes: number; n: number },
  margin: number,
): ProportionTest {
  const pb = baseline.successes / baseline.n;
  const pc = candidate.successes / candidate.n;
  const difference = pc - pb;
  // a floor on each variance (one event in n) keeps an all-zero baseline from giving infinite z
  const vb = Math.max(pb * (1 - pb), 1 / baseline.n) / baseline.n;
  const vc = Math.max(pc * (1 - pc), 1 / candidate.n) / candidate.n;
  const z = (difference - margin) / Math.sqrt(vb + vc);
  return { difference, z, p: 1 - normalCdf(z) };
}

export interface RankTest {
  u: number;
  z: number;
  /** one-sided p-value for H0: candidate is not stochastically larger than baseline */
  p: number;
}

/** Mann-Whitney U (normal approximation with tie correction), one-sided: candidate > baseline. */
export function mannWhitneyGreater(baseline: readonly number[], candidate: readonly number[]): RankTest {
  const n1 = candidate.length;
  const n2 = baseline.length;
  // merge instead of sorting the union when both inputs are sorted (the judge passes sorted arrays)
  const all = mergeSorted(baseline, candidate);
  let rankSumCandidate = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    const ties = j - i + 1;
    if (ties > 1) tieTerm += ties ** 3 - ties;
    for (let k = i; k <= j; k++) if (all[k]!.c) rankSumCandidate += rank;
    i = j + 1;
  }
  const u = rankSumCandidate - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (u - mean - 0.5) / Math.sqrt(variance) : 0; // continuity correction
  return { u, z, p: 1 - normalCdf(z) };
}

function mergeSorted(
  baseline: readonly number[],
  candidate: readonly number[],
): Array<{ v: number; c: boolean }> {
  const isSorted = (xs: readonly number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);
  const b = isSorted(baseline) ? baseline : [...baseline].sort((x, y) => x - y);
  const c = isSorted(candidate) ? candidate : [...candidate].sort((x, y) => x - y);
  const out: Array<{ v: number; c: boolean }> = [];
  let i = 0;
  let j = 0;
  while (i < b.length || j < c.length) {
    if (j >= c.length || (i < b.length && b[i]! < c[j]!)) out.push({ v: b[i++]!, c: false });
    else out.push({ v: c[j++]!, c: true });
  }
  return out;
}

/** Nearest-rank quantile of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  return nearestRank(
    [...values].sort((a, b) => a - b),
    q,
  );
}

/** ROC-AUC as the Mann-Whitney probability that a positive outscores a negative (ties count half). */
export function rocAucOf(scored: Array<{ score: number; pos: boolean }>): number | null {
  const positives = scored.filter((s) => s.pos).map((s) => s.score);
  const negatives = scored.filter((s) => !s.pos).map((s) => s.score);
  if (positives.length === 0 || negatives.length === 0) return null;
  // AUC = U / (n+ · n−), U being the Mann-Whitney statistic of the positives' scores
  return mannWhitneyGreater(negatives, positives).u / (positives.length * negatives.length);
}
