import type { Task } from '../registry/manifest.js';

/** A prediction as the API answers it (structurally: label and probabilities, or value). */
export type PredictionLike = { label?: string; probabilities?: Record<string, number>; value?: number };

/**
 * What drift monitoring tracks of a model's output, the same for the reference profile and for
 * live traffic: a regression's value; a binary classifier's probability of the positive label
 * (a shift in scores shows long before labels flip) when it gives probabilities (`scores`); a
 * label otherwise.
 */
export function predictionValueOf(
  task: Task,
  positiveLabel: string | undefined,
  scores: boolean,
): (p: PredictionLike) => number | string {
  if (task === 'regression') return (p) => p.value ?? Number.NaN;
  if (task === 'binary-classification' && positiveLabel !== undefined && scores) {
    return (p) => p.probabilities?.[positiveLabel] ?? Number.NaN;
  }
  return (p) => p.label ?? '';
}

/** The positive label of a binary classifier: the manifest's, else the second label (scikit-learn's 1). */
export function positiveLabel(
  declared: string | number | undefined,
  labels: readonly string[] | undefined,
): string | undefined {
  if (declared !== undefined) return String(declared);
  return labels && labels.length === 2 ? labels[1] : undefined;
}
