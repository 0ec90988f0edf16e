import { nearestRank } from '../../shared/nearest-rank.js';
import { chiSquareHomogeneity, psi } from '../monitoring/drift-statistics.js';
import { binIndex, quantileEdges } from '../monitoring/reference-profile.js';
import { mannWhitneyGreater, proportionExceeds } from './statistics.js';

/** What one variant did during an analysis window. */
export interface ArmWindow {
  requests: number;
  /** answers that failed on the server's side (5xx, inference errors and timeouts) */
  errors: number;
  /** latency of each request in the window (a bounded sample), milliseconds */
  latenciesMs: number[];
  /** predictions with feedback, and how many of them were right (classification) */
  labelled: number;
  correct: number;
  /** shadow comparisons on identical inputs (candidate only) */
  shadowCompared: number;
  shadowAgreed: number;
  /**
   * What the answers predicted (a bounded sample, one row per request): a binary classifier's
   * positive-class score, a regression's value, or a label, as drift monitoring tracks them
   */
  predictions: Array<number | string>;
  /** predictions offered to that sample */
  predicted: number;
}

export const emptyArm = (): ArmWindow => ({
  requests: 0,
  errors: 0,
  latenciesMs: [],
  labelled: 0,
  correct: 0,
  shadowCompared: 0,
  shadowAgreed: 0,
  predictions: [],
  predicted: 0,
});

export interface JudgeConfig {
  /** family-wise false-abort rate over the whole rollout (all checks, all looks) */
  alpha: number;
  /** analysis looks the rollout will take at most (the spending denominator) */
  maxLooks: number;
  minRequests: number;
  /** candidate error rate may exceed baseline's by this much before it counts as worse */
  errorMargin: number;
  /** absolute ceiling on the candidate's error rate */
  maxErrorRate: number;
  /** absolute ceiling on the candidate's p99 latency */
  maxP99Ms: number;
  /** candidate median latency may exceed baseline's by this share before it counts as slower */
  latencyMargin: number;
  /** ... and by at least this many milliseconds: a 20 µs slowdown is not worth a rollback */
  latencyMinDiffMs: number;
  minLabelled: number;
  accuracyMargin: number;
  minShadowAgreement: number;
  /**
   * The baseline window is from an earlier step (a 100% step, where stable gets no traffic).
   * Latency then depends on when it was measured (load, neighbours, GC) as much as on the model,
   * so only the candidate's p99 ceiling is judged; the relative latency check ran in the
   * concurrent steps before.
   */
  earlierBaseline?: boolean;
  /**
   * Opt-in prediction-shift check: the candidate's predictions may move this far from the
   * baseline's on comparable traffic (PSI over fixed score bins, the baseline's deciles or the
   * labels) before, with a significant chi-square test, the candidate counts as answering differently.
   */
  maxPredictionPsi?: number;
}

export const DEFAULT_JUDGE: Omit<JudgeConfig, 'maxLooks'> = {
  alpha: 0.01,
  minRequests: 100,
  errorMargin: 0.01,
  maxErrorRate: 0.1,
  maxP99Ms: 1000,
  latencyMargin: 0.2,
  latencyMinDiffMs: 2,
  minLabelled: 100,
  accuracyMargin: 0.02,
  minShadowAgreement: 0.9,
};

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface Check {
  name: 'error_rate' | 'latency' | 'accuracy' | 'shadow_agreement' | 'prediction_shift';
  verdict: Verdict;
  reason: string;
  baseline: Record<string, number>;
  candidate: Record<string, number>;
  threshold: Record<string, number>;
  statistic?: { name: string; value: number; p: number; alpha: number };
}

export interface Judgement {
  verdict: Verdict;
  checks: Check[];
}

/** Statistical tests per look (errors, latency, accuracy); the per-test alpha is alpha / (looks × tests). */
const TESTS_PER_LOOK = 3;

/**
 * Candidate against baseline over one window. Alpha is spent evenly over every test the rollout
 * may run (Bonferroni over looks and checks: ADR 0006), so checking at every interval cannot
 * inflate the false-abort rate beyond `alpha`. Absolute ceilings fail without a test.
 * `shadow` marks a shadow step: the candidate answers nobody, so only agreement and its own
 * errors and latency are judged.
 */
export function judge(baseline: ArmWindow, candidate: ArmWindow, cfg: JudgeConfig): Judgement {
  // the prediction-shift check compares arms serving side by side: not a shadow candidate (it
  // answers nobody), not a baseline from an earlier step (traffic changes over time)
  const shift = cfg.maxPredictionPsi !== undefined && !cfg.earlierBaseline && candidate.shadowCompared === 0;
  const alphaTest = cfg.alpha / (Math.max(1, cfg.maxLooks) * (TESTS_PER_LOOK + (shift ? 1 : 0)));
  const checks: Check[] = [
    errorCheck(baseline, candidate, cfg, alphaTest),
    latencyCheck(baseline, candidate, cfg, alphaTest),
  ];
  if (candidate.labelled > 0 || baseline.labelled > 0)
    checks.push(accuracyCheck(baseline, candidate, cfg, alphaTest));
  if (candidate.shadowCompared > 0) checks.push(shadowCheck(candidate, cfg));
  if (shift) checks.push(predictionShiftCheck(baseline, candidate, cfg, alphaTest));
  // accuracy depends on feedback, which may come late or never (a shadow candidate answers
  // nobody), and prediction shift on answers the arms can be compared by: these checks can fail
  // a step, but their lack of data never holds one
  const required = checks.filter((c) => c.name !== 'accuracy' && c.name !== 'prediction_shift');
  const verdict: Verdict = checks.some((c) => c.verdict === 'fail')
    ? 'fail'
    : required.some((c) => c.verdict === 'inconclusive')
      ? 'inconclusive'
      : 'pass';
  return { verdict, checks };
}

const rate = (x: number, n: number) => (n === 0 ? 0 : x / n);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

function errorCheck(b: ArmWindow, c: ArmWindow, cfg: JudgeConfig, alpha: number): Check {
  const base = {
    name: 'error_rate' as const,
    baseline: { requests: b.requests, errors: b.errors, rate: r4(rate(b.errors, b.requests)) },
    candidate: { requests: c.requests, errors: c.errors, rate: r4(rate(c.errors, c.requests)) },
    threshold: { margin: cfg.errorMargin, ceiling: cfg.maxErrorRate, min_requests: cfg.minRequests },
  };
  if (c.requests < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `candidate has ${c.requests} of ${cfg.minRequests} requests needed`,
    };
  }
  const cr = rate(c.errors, c.requests);
  if (cr > cfg.maxErrorRate) {
    return {
      ...base,
      verdict: 'fail',
      reason: `candidate error rate ${r4(cr)} is over the ceiling ${cfg.maxErrorRate}`,
    };
  }
  if (b.requests < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `baseline has ${b.requests} of ${cfg.minRequests} requests needed`,
    };
  }
  const t = proportionExceeds(
    { successes: b.errors, n: b.requests },
    { successes: c.errors, n: c.requests },
    cfg.errorMargin,
  );
  const statistic = { name: 'z (two proportions, one-sided)', value: r4(t.z), p: t.p, alpha };
  return t.p < alpha
    ? {
        ...base,
        statistic,
        verdict: 'fail',
        reason: `candidate errors exceed baseline's by more than ${cfg.errorMargin} (p=${t.p.toExponential(2)} < ${alpha.toExponential(2)})`,
      }
    : {
        ...base,
        statistic,
        verdict: 'pass',
        reason: 'no evidence the candidate errs more than the baseline',
      };
}

function latencyCheck(b: ArmWindow, c: ArmWindow, cfg: JudgeConfig, alpha: number): Check {
  const sortedB = [...b.latenciesMs].sort((x, y) => x - y);
  const sortedC = [...c.latenciesMs].sort((x, y) => x - y);
  const q = nearestRank;
  const stats = (sorted: number[]): Record<string, number> =>
    sorted.length === 0
      ? { samples: 0 }
      : { samples: sorted.length, p50_ms: r4(q(sorted, 0.5)), p99_ms: r4(q(sorted, 0.99)) };
  const base = {
    name: 'latency' as const,
    baseline: stats(sortedB),
    candidate: stats(sortedC),
    threshold: {
      p99_ceiling_ms: cfg.maxP99Ms,
      median_margin: cfg.latencyMargin,
      min_requests: cfg.minRequests,
    },
  };
  if (c.latenciesMs.length < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `candidate has ${c.latenciesMs.length} of ${cfg.minRequests} latency samples needed`,
    };
  }
  const p99 = q(sortedC, 0.99);
  if (p99 > cfg.maxP99Ms) {
    return {
      ...base,
      verdict: 'fail',
      reason: `candidate p99 ${r4(p99)} ms is over the ceiling ${cfg.maxP99Ms} ms`,
    };
  }
  if (cfg.earlierBaseline) {
    return {
      ...base,
      verdict: 'pass',
      reason: `p99 ${r4(p99)} ms is under the ceiling; the baseline is from an earlier step, so latency is not compared`,
    };
  }
  if (b.latenciesMs.length < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `baseline has ${b.latenciesMs.length} of ${cfg.minRequests} latency samples needed`,
    };
  }
  const t = mannWhitneyGreater(sortedB, sortedC);
  const ratio = q(sortedC, 0.5) / Math.max(q(sortedB, 0.5), 1e-9);
  const diff = q(sortedC, 0.5) - q(sortedB, 0.5);
  const statistic = { name: 'Mann-Whitney U z (one-sided)', value: r4(t.z), p: t.p, alpha };
  return t.p < alpha && ratio > 1 + cfg.latencyMargin && diff > cfg.latencyMinDiffMs
    ? {
        ...base,
        statistic,
        verdict: 'fail',
        reason: `candidate is slower: median ×${r4(ratio)} (p=${t.p.toExponential(2)})`,
      }
    : { ...base, statistic, verdict: 'pass', reason: `no material slowdown (median ×${r4(ratio)})` };
}

function accuracyCheck(b: ArmWindow, c: ArmWindow, cfg: JudgeConfig, alpha: number): Check {
  const base = {
    name: 'accuracy' as const,
    baseline: { labelled: b.labelled, accuracy: r4(rate(b.correct, b.labelled)) },
    candidate: { labelled: c.labelled, accuracy: r4(rate(c.correct, c.labelled)) },
    threshold: { margin: cfg.accuracyMargin, min_labelled: cfg.minLabelled },
  };
  if (c.labelled < cfg.minLabelled || b.labelled < cfg.minLabelled) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `feedback on ${c.labelled} candidate and ${b.labelled} baseline predictions; ${cfg.minLabelled} each needed`,
    };
  }
  // accuracy worse by more than the margin = wrong-answer rate higher by more than the margin
  const t = proportionExceeds(
    { successes: b.labelled - b.correct, n: b.labelled },
    { successes: c.labelled - c.correct, n: c.labelled },
    cfg.accuracyMargin,
  );
  const statistic = {
    name: 'z (two proportions of wrong answers, one-sided)',
    value: r4(t.z),
    p: t.p,
    alpha,
  };
  return t.p < alpha
    ? {
        ...base,
        statistic,
        verdict: 'fail',
        reason: `candidate accuracy is lower by more than ${cfg.accuracyMargin} (p=${t.p.toExponential(2)})`,
      }
    : { ...base, statistic, verdict: 'pass', reason: 'no evidence of lower accuracy' };
}

function shadowCheck(c: ArmWindow, cfg: JudgeConfig): Check {
  const agreement = rate(c.shadowAgreed, c.shadowCompared);
  const base = {
    name: 'shadow_agreement' as const,
    baseline: {},
    candidate: { compared: c.shadowCompared, agreement: r4(agreement) },
    threshold: { min_agreement: cfg.minShadowAgreement, min_requests: cfg.minRequests },
  };
  if (c.shadowCompared < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `${c.shadowCompared} of ${cfg.minRequests} shadow comparisons needed`,
    };
  }
  return agreement < cfg.minShadowAgreement
    ? {
        ...base,
        verdict: 'fail',
        reason: `candidate agrees with stable on ${r4(agreement)} of inputs; at least ${cfg.minShadowAgreement} required`,
      }
    : { ...base, verdict: 'pass', reason: `agreement ${r4(agreement)}` };
}

/**
 * Score bins: tenths of [0, 1], fixed, so models of other granularity bin alike (0 and 0.005 are
 * one bin). Finer bins near 0 and 1 were tried: with edges at 0.01 and 0.99 a retrained forest of
 * the demo failed the check in 56% of random splits (its 0.02 where the other says 0), with 0.05
 * and 0.95 in 0.1%, with tenths in 0.015%. The price: a shift inside one tenth (scores of an
 * imbalanced problem moving from 0.005 to 0.05) is not seen here; drift monitoring of the
 * prediction, on the reference's own deciles, sees it.
 */
const SCORE_EDGES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Do the candidate's predictions differ from the baseline's on comparable traffic? Both arms are
 * counted in the same bins: scores in [0, 1] in fixed bins (SCORE_EDGES: a forest of 100 trees
 * says 0.005 where one of 50 says 0, and baseline deciles would put them apart), other values in
 * the baseline's deciles, labels as they are; NaN and ±∞ in a bin of their own. A shift needs a
 * size that matters (PSI over `maxPredictionPsi`) and significance (a chi-square test of
 * homogeneity on the same bins, p under the spent alpha). Catches a candidate that errs nowhere
 * and has no feedback yet but answers differently: swapped features, other scaling, a broken
 * preprocessing step.
 */
function predictionShiftCheck(b: ArmWindow, c: ArmWindow, cfg: JudgeConfig, alpha: number): Check {
  const max = cfg.maxPredictionPsi!;
  const base = {
    name: 'prediction_shift' as const,
    baseline: { predictions: b.predictions.length },
    candidate: { predictions: c.predictions.length },
    threshold: { max_psi: max, min_requests: cfg.minRequests },
  };
  if (c.predictions.length < cfg.minRequests || b.predictions.length < cfg.minRequests) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: `predictions of ${c.predictions.length} candidate and ${b.predictions.length} baseline answers; ${cfg.minRequests} each needed`,
    };
  }
  const numeric = (xs: ArmWindow['predictions']): xs is number[] => xs.every((x) => typeof x === 'number');
  const bins = binsOf(b.predictions, c.predictions, numeric);
  if (!bins) {
    return {
      ...base,
      verdict: 'inconclusive',
      reason: 'one arm predicts numbers and the other labels: not comparable',
    };
  }
  const [bc, cc] = bins;
  let score: number;
  let chi: ReturnType<typeof chiSquareHomogeneity>;
  try {
    score = psi(bc, cc).psi;
    chi = chiSquareHomogeneity(bc, cc);
  } catch (err) {
    // a judge that throws would stall the rollout: what cannot be measured is inconclusive
    return { ...base, verdict: 'inconclusive', reason: `not measurable: ${(err as Error).message}` };
  }
  const statistic = { name: 'chi-square (homogeneity)', value: r4(chi.statistic), p: chi.pValue, alpha };
  const measured = { ...base, candidate: { ...base.candidate, psi: r4(score) }, statistic };
  const p = chi.pValue.toExponential(2);
  return score > max && chi.pValue < alpha
    ? {
        ...measured,
        verdict: 'fail',
        reason: `candidate's predictions shifted: PSI ${r4(score)} over ${max} (p=${p} < ${alpha.toExponential(2)})`,
      }
    : {
        ...measured,
        verdict: 'pass',
        reason:
          score > max
            ? `PSI ${r4(score)} over ${max}, but not significant (p=${p})`
            : `predictions alike: PSI ${r4(score)} within ${max}`,
      };
}

/** Both arms' counts in the same bins, or undefined when one predicts numbers and the other labels. */
function binsOf(
  b: ArmWindow['predictions'],
  c: ArmWindow['predictions'],
  numeric: (xs: ArmWindow['predictions']) => xs is number[],
): [number[], number[]] | undefined {
  if (numeric(b) && numeric(c)) {
    const finite = [...b, ...c].filter(Number.isFinite);
    const scores = finite.every((x) => x >= 0 && x <= 1);
    const edges = scores ? SCORE_EDGES : quantileEdges(b.filter(Number.isFinite).sort((x, y) => x - y));
    // a bin for NaN and ±∞ when there are any: a candidate that answers no number has shifted,
    // not vanished
    const bins = edges.length + (finite.length < b.length + c.length ? 2 : 1);
    const count = (xs: number[]) => {
      const counts = new Array<number>(bins).fill(0);
      for (const x of xs) counts[Number.isFinite(x) ? binIndex(edges, x) : edges.length + 1]!++;
      return counts;
    };
    return [count(b), count(c)];
  }
  if (numeric(b) || numeric(c)) return undefined;
  const labels = [...new Set([...b, ...c])].sort();
  const at = new Map(labels.map((l, i) => [l, i]));
  const count = (xs: ArmWindow['predictions']) => {
    const counts = new Array<number>(labels.length).fill(0);
    for (const x of xs) counts[at.get(x)!]!++;
    return counts;
  };
  return [count(b), count(c)];
}
