import { rocAucOf } from '../rollouts/statistics.js';

/**
 * Offline quality of a model version over labelled rows, computed as scikit-learn 1.2.1 (the
 * version Debian ships, which the tests were checked against) computes it, so a number shown by
 * modelgate can be reproduced in a notebook. Pure functions: the caller runs the model and passes
 * its outputs in.
 */

export interface ClassificationInput {
  /** the model's class labels, in the order of its probability outputs */
  labels: readonly string[];
  /** binary only: the class whose probability is scored; default the second label */
  positiveLabel?: string;
  truth: readonly string[];
  predicted: readonly string[];
  /** per row, one probability per class in `labels` order */
  probabilities: ReadonlyArray<readonly number[]>;
}

export interface ClassificationMetrics {
  /** null when undefined: some class of `labels` (binary: either class) never occurs in truth */
  roc_auc: number | null;
  accuracy: number;
  f1: number;
  log_loss: number;
  rows: number;
}

export interface RegressionMetrics {
  mae: number;
  rmse: number;
  /** null with a single row, where scikit-learn returns NaN */
  r2: number | null;
  rows: number;
}

/**
 * Float64 machine epsilon: sklearn 1.2's log_loss(eps='auto') clips probabilities to
 * [ε, 1 − ε] with ε = np.finfo(float64).eps, so a confident wrong 0/1 answer costs −ln ε ≈ 36.04
 * instead of infinity. (Before 1.2 the default was 1e-15, which gives ≈ 34.54.)
 */
const LOG_LOSS_EPS = Number.EPSILON;

/**
 * Accuracy, F1, ROC-AUC and log loss of a classifier.
 *
 * - accuracy = (rows with predicted = truth) / n.
 * - binary (2 labels): ROC-AUC of the positive class's probability, and F1 = 2·TP / (2·TP + FP +
 *   FN) of the positive class (sklearn `f1_score(average='binary', pos_label=positive)`). The
 *   positive class is `positiveLabel` (the manifest's `outputs.positive_label`), else the SECOND
 *   label: a {0, 1} model lists 0 first, and scikit-learn's positive class is 1.
 * - multiclass: macro one-vs-rest ROC-AUC (sklearn `roc_auc_score(y, P, multi_class='ovr')`), the
 *   mean of each class's AUC of its own probability; macro F1 over the classes present in truth or
 *   predicted (sklearn `f1_score(average='macro')`); a class never predicted scores 0.
 * - ROC-AUC is null when a class never occurs in truth: scikit-learn raises "Only one class present
 *   in y_true" there, and no ranking can be judged without both positives and negatives.
 * - log loss = −(1/n)·Σᵢ ln q(i, truthᵢ), where q is the row clipped to [ε, 1 − ε] (ε =
 *   LOG_LOSS_EPS) then divided by its sum, as sklearn `log_loss(y, P, labels=labels)` does. NB:
 *   sklearn takes P's columns in SORTED label order; here they follow `labels`.
 *
 * Worked example: labels [no, yes], truth [no, yes], predicted [no, no], P(yes) [0.2, 0.4]:
 * accuracy 0.5; F1(yes) = 0/(0 + 0 + 1) = 0; ROC-AUC 1 (the positive outscores the negative);
 * log loss = −(ln 0.8 + ln 0.4)/2 = 0.5697.
 *
 * Throws RangeError on no rows, arrays of different lengths, fewer than 2 or repeated labels, a
 * truth or predicted value not among `labels` (naming value and row), a probability row of the
 * wrong width, or a non-finite probability.
 */
export function classificationMetrics(input: ClassificationInput): ClassificationMetrics {
  const { labels, truth, predicted, probabilities } = input;
  const n = truth.length;
  checkShape(labels, n, predicted.length, probabilities);
  const index = new Map(labels.map((label, i) => [label, i]));
  const truthIdx = truth.map((value, row) => classIndex(index, value, row, 'truth'));
  const predIdx = predicted.map((value, row) => classIndex(index, value, row, 'predicted'));
  probabilities.forEach((p, row) => {
    if (p.length !== labels.length) {
      throw new RangeError(`row ${row} has ${p.length} probabilities for ${labels.length} labels`);
    }
    if (!p.every(Number.isFinite)) throw new RangeError(`row ${row} has a non-finite probability`);
  });

  const accuracy = truthIdx.filter((t, i) => t === predIdx[i]).length / n;
  let rocAuc: number | null;
  let f1: number;
  if (labels.length === 2) {
    const positive = input.positiveLabel ?? labels[1]!;
    const k = index.get(positive);
    if (k === undefined) {
      throw new RangeError(`positive label '${positive}' is not one of the labels ${labels.join(', ')}`);
    }
    rocAuc = classAuc(truthIdx, probabilities, k);
    f1 = classF1(truthIdx, predIdx, k);
  } else {
    const aucs = labels.map((_, k) => classAuc(truthIdx, probabilities, k));
    rocAuc = aucs.some((a) => a === null) ? null : mean(aucs as number[]);
    // sklearn's macro F1 averages over the classes seen in truth or predicted, not all labels
    const seen = labels.map((_, k) => k).filter((k) => truthIdx.includes(k) || predIdx.includes(k));
    f1 = mean(seen.map((k) => classF1(truthIdx, predIdx, k)));
  }
  return { roc_auc: rocAuc, accuracy, f1, log_loss: logLoss(truthIdx, probabilities), rows: n };
}

/**
 * Mean absolute error, root mean squared error and R² of a regressor.
 *
 * MAE = Σ|yᵢ − ŷᵢ|/n; RMSE = √(Σ(yᵢ − ŷᵢ)²/n); R² = 1 − Σ(yᵢ − ŷᵢ)² / Σ(yᵢ − ȳ)² (sklearn
 * `r2_score`). With constant truth the denominator is 0: sklearn 1.2 (force_finite=True) returns
 * 1.0 for perfect predictions and 0.0 otherwise, and so does this. With one row sklearn returns NaN;
 * here null.
 *
 * Worked example: truth [1, 2, 3], predicted [1, 2, 4]: MAE = 1/3, RMSE = √(1/3) = 0.5774,
 * R² = 1 − 1/2 = 0.5.
 *
 * Throws RangeError on no rows, arrays of different lengths or a non-finite value.
 */
export function regressionMetrics(input: {
  truth: readonly number[];
  predicted: readonly number[];
}): RegressionMetrics {
  const { truth, predicted } = input;
  const n = truth.length;
  if (n === 0) throw new RangeError('no rows to evaluate');
  if (predicted.length !== n) {
    throw new RangeError(`${n} truth values but ${predicted.length} predictions`);
  }
  truth.forEach((t, row) => {
    if (!Number.isFinite(t) || !Number.isFinite(predicted[row])) {
      throw new RangeError(`row ${row} has a non-finite truth or prediction`);
    }
  });
  const errors = truth.map((t, i) => t - predicted[i]!);
  const sse = errors.reduce((s, e) => s + e * e, 0);
  const truthMean = mean(truth);
  const sst = truth.reduce((s, t) => s + (t - truthMean) ** 2, 0);
  let r2: number | null;
  if (n < 2) r2 = null;
  else if (sse === 0) r2 = 1;
  else r2 = sst === 0 ? 0 : 1 - sse / sst;
  return {
    mae: errors.reduce((s, e) => s + Math.abs(e), 0) / n,
    rmse: Math.sqrt(sse / n),
    r2,
    rows: n,
  };
}

function checkShape(
  labels: readonly string[],
  n: number,
  predicted: number,
  probabilities: ReadonlyArray<readonly number[]>,
): void {
  if (n === 0) throw new RangeError('no rows to evaluate');
  if (predicted !== n || probabilities.length !== n) {
    throw new RangeError(
      `${n} truth values, ${predicted} predictions and ${probabilities.length} probability rows`,
    );
  }
  if (labels.length < 2) throw new RangeError(`a classifier needs at least 2 labels, got ${labels.length}`);
  if (new Set(labels).size !== labels.length) throw new RangeError(`repeated label in ${labels.join(', ')}`);
}

function classIndex(index: ReadonlyMap<string, number>, value: string, row: number, what: string): number {
  const k = index.get(value);
  if (k === undefined) {
    throw new RangeError(
      `${what} '${value}' in row ${row + 1} (1-based) is not one of the labels ${[...index.keys()].join(', ')}`,
    );
  }
  return k;
}

/** One-vs-rest AUC of class k's probability (the shared Mann-Whitney ROC-AUC, ties count half). */
function classAuc(truth: readonly number[], probabilities: ReadonlyArray<readonly number[]>, k: number) {
  return rocAucOf(truth.map((t, i) => ({ score: probabilities[i]![k]!, pos: t === k })));
}

/** F1 of class k = 2·TP / (2·TP + FP + FN); 0 when the class is neither true nor predicted. */
function classF1(truth: readonly number[], predicted: readonly number[], k: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    if (t === k && p === k) tp++;
    else if (p === k) fp++;
    else if (t === k) fn++;
  });
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

function logLoss(truth: readonly number[], probabilities: ReadonlyArray<readonly number[]>): number {
  const clip = (p: number) => Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
  let total = 0;
  truth.forEach((t, i) => {
    const row = probabilities[i]!.map(clip);
    const sum = row.reduce((s, p) => s + p, 0);
    total -= Math.log(row[t]! / sum);
  });
  return total / truth.length;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}
