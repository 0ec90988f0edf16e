import type { ArmWindow } from './judge.js';

/** Latency samples kept per arm and window (the judge's Mann-Whitney test draws on them). */
export const LATENCY_SAMPLE = 5000;
/** Predictions kept per arm for the prediction-shift check. */
export const PREDICTION_SAMPLE = 2000;

/** One sampled value with its priority, a uniform draw made when it was recorded. */
export type Sampled<T> = readonly [priority: number, value: T];

/**
 * A bottom-k sample: the k values of smallest priority among all values offered. Because every
 * value's priority is drawn once, at the replica that saw it, the bottom k of a union is the
 * bottom k of the parts' bottom k's: merging samples from several replicas gives exactly the
 * sample one replica would hold had it seen all the traffic (a uniform sample of the union),
 * and the merge is associative and commutative.
 */
export interface BottomK<T> {
  k: number;
  /** kept entries, at most k once normalised (see `trim`) */
  items: Array<Sampled<T>>;
  /** the largest priority a new value may have to be kept; 1 until the sample is full */
  threshold: number;
}

const order = <T>(a: Sampled<T>, b: Sampled<T>): number =>
  a[0] - b[0] || (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : 0);

export function emptySample<T>(k: number): BottomK<T> {
  return { k, items: [], threshold: 1 };
}

/** Offers a value (amortised O(log k): the sample is trimmed when it holds 2k). */
export function offer<T>(s: BottomK<T>, value: T, priority: number): void {
  if (priority >= s.threshold) return;
  s.items.push([priority, value]);
  if (s.items.length >= 2 * s.k) trim(s);
}

/** Keeps the k smallest priorities (ties broken by value, so the result is canonical). */
export function trim<T>(s: BottomK<T>): BottomK<T> {
  s.items.sort(order);
  if (s.items.length > s.k) s.items.length = s.k;
  if (s.items.length === s.k) s.threshold = s.items[s.k - 1]![0];
  return s;
}

export function mergeSamples<T>(a: BottomK<T>, b: BottomK<T>): BottomK<T> {
  const k = Math.min(a.k, b.k);
  return trim({ k, items: [...a.items, ...b.items], threshold: 1 });
}

/**
 * What one variant did in a step's window on one replica, or merged over several: counts add,
 * samples merge bottom-k. The value a replica publishes and the leader merges and judges.
 */
export interface ArmTally {
  requests: number;
  errors: number;
  labelled: number;
  correct: number;
  shadowCompared: number;
  shadowAgreed: number;
  /** predictions offered to the prediction sample */
  predicted: number;
  latencies: BottomK<number>;
  predictions: BottomK<number | string>;
}

export const emptyTally = (): ArmTally => ({
  requests: 0,
  errors: 0,
  labelled: 0,
  correct: 0,
  shadowCompared: 0,
  shadowAgreed: 0,
  predicted: 0,
  latencies: emptySample(LATENCY_SAMPLE),
  predictions: emptySample(PREDICTION_SAMPLE),
});

export interface Outcome {
  serverError: boolean;
  latencyMs: number;
  prediction?: number | string | undefined;
}

/** One answered request; `random` draws the priorities (uniform in [0, 1)). */
export function recordRequest(t: ArmTally, o: Outcome, random: () => number = Math.random): void {
  t.requests++;
  if (o.serverError) t.errors++;
  offer(t.latencies, o.latencyMs, random());
  if (o.prediction !== undefined) {
    t.predicted++;
    offer(t.predictions, o.prediction, random());
  }
}

/** merge(a, b): counts add, samples merge; associative and commutative, `emptyTally()` is neutral. */
export function mergeTallies(a: ArmTally, b: ArmTally): ArmTally {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    labelled: a.labelled + b.labelled,
    correct: a.correct + b.correct,
    shadowCompared: a.shadowCompared + b.shadowCompared,
    shadowAgreed: a.shadowAgreed + b.shadowAgreed,
    predicted: a.predicted + b.predicted,
    latencies: mergeSamples(a.latencies, b.latencies),
    predictions: mergeSamples(a.predictions, b.predictions),
  };
}

/** The judge's view of a tally. */
export function toArmWindow(t: ArmTally): ArmWindow {
  return {
    requests: t.requests,
    errors: t.errors,
    latenciesMs: trim(t.latencies).items.map(([, v]) => v),
    labelled: t.labelled,
    correct: t.correct,
    shadowCompared: t.shadowCompared,
    shadowAgreed: t.shadowAgreed,
    predictions: trim(t.predictions).items.map(([, v]) => v),
    predicted: t.predicted,
  };
}

/** A tally as stored (JSON): samples trimmed, priorities kept so merges stay exact. */
export function serialiseTally(t: ArmTally): string {
  trim(t.latencies);
  trim(t.predictions);
  return JSON.stringify({ ...t, latencies: t.latencies.items, predictions: t.predictions.items });
}

export function parseTally(text: string): ArmTally {
  const o = JSON.parse(text) as Omit<ArmTally, 'latencies' | 'predictions'> & {
    latencies: Array<Sampled<number>>;
    predictions: Array<Sampled<number | string>>;
  };
  return {
    ...o,
    latencies: trim({ k: LATENCY_SAMPLE, items: o.latencies, threshold: 1 }),
    predictions: trim({ k: PREDICTION_SAMPLE, items: o.predictions, threshold: 1 }),
  };
}
