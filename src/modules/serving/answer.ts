import type { Prediction } from './output-plan.js';

export type Variant = 'stable' | 'candidate';

export type PredictOutcome = 'ok' | 'invalid' | 'error' | 'timeout';

/** A rollout's routing of one request (RouteDecision in the rollouts module). */
export interface RouteDecisionLike {
  rolloutId: string;
  candidate: string;
  variant: Variant;
  shadow: boolean;
  /** the rollout's judge compares the arms' predictions (its plan sets max_prediction_psi) */
  predictions?: boolean;
  /** the analysis window the request counts in (opaque here) */
  window: string;
}

/** What one arm of a rollout did with a request, for the rollout's analysis window. */
export interface ArmOutcome {
  decision: RouteDecisionLike;
  variant: Variant;
  /** the version's fault (5xx, stored bytes that no longer verify), not the client's */
  serverError: boolean;
  latencyMs: number;
  /** one row's prediction, for the prediction-shift check */
  prediction?: number | string | undefined;
}

/**
 * One version's go at a request: picked, then refused the input, failed, timed out or answered.
 * A request has one attempt, or two when a rollout's candidate failed and stable answered.
 */
export interface Attempt {
  model: string;
  version: string;
  outcome: PredictOutcome;
  instances: number;
  /** ONNX Runtime time, when the model ran */
  inferenceMs?: number;
}

/** What an answered request returned, for the prediction log and drift. */
export interface Answered {
  /** the native API's prediction id (V2 answers have none) */
  predictionId?: string;
  variant?: Variant;
  rolloutId?: string;
  /** the request's records (native) or its tensors read back as records (V2, when drift wants them) */
  rows?: ReadonlyArray<Record<string, unknown>>;
  predictions?: Prediction[];
}

/**
 * The record of one inference request as it goes: the service appends attempts and names the
 * version that answers; the route adds what was answered. Handed to every observer, with the
 * HTTP status and latency, after the answer was sent.
 */
export interface InferenceTrace {
  protocol: 'native' | 'v2';
  attempts: Attempt[];
  /** what each arm of a rollout did with the request, when a rollout routed it */
  arms: ArmOutcome[];
  /** the version that answers (or refused the input), as soon as it is picked */
  model?: string;
  version?: string;
  answered?: Answered;
}

/** One inference request after its answer was sent. */
export interface Answer extends InferenceTrace {
  status: number;
  latencyMs: number;
  /** when the answer was sent (clock ms) */
  atMs: number;
}

/** Something that learns from answered requests: metrics, stats, rollout windows, the log, drift. */
export interface AnswerObserver {
  readonly name: string;
  observe(a: Answer): void;
}

export function newTrace(protocol: InferenceTrace['protocol']): InferenceTrace {
  return { protocol, attempts: [], arms: [] };
}

/**
 * The observers of the data plane, told in order after each answer. An observer that throws is
 * counted and logged by `onError`; it never stops the others nor touches the answer.
 */
export class AnswerObservers {
  readonly #observers: AnswerObserver[] = [];

  constructor(private readonly onError: (observer: string, err: unknown) => void = () => undefined) {}

  add(observer: AnswerObserver): this {
    this.#observers.push(observer);
    return this;
  }

  get names(): string[] {
    return this.#observers.map((o) => o.name);
  }

  notify(a: Answer): void {
    for (const o of this.#observers) {
      try {
        o.observe(a);
      } catch (err) {
        this.onError(o.name, err);
      }
    }
  }
}
