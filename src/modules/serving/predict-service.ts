import { uuidv7 } from '../../shared/uuidv7.js';
import { inSpan, NO_SPANS, type SpanScope } from '../../shared/spans.js';
import { AppError, isAppError, type FieldProblem } from '../../shared/errors.js';
import { VersionBreakers } from './breakers.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { OnnxValue } from 'onnxruntime-node';
import type { LoadedModel } from './loaded-model.js';
import { fetchesOf, type Prediction } from './output-plan.js';
import type { ServingService } from './serving-service.js';
import {
  newTrace,
  type ArmOutcome,
  type Attempt,
  type InferenceTrace,
  type RouteDecisionLike,
  type Variant,
} from './answer.js';

export type { PredictOutcome, RouteDecisionLike, Variant } from './answer.js';

/** What routing needs to know about a request, native or V2. */
interface RoutedRequest {
  model: string;
  /** Pinned version; when absent the production version answers (or a rollout routes). */
  version?: string;
  /** Spans for routing, validation and inference (tracing); none by default. */
  spans?: SpanScope;
  /**
   * This request's record: the service names the version as soon as it is picked (before
   * validation can fail) and appends each version's attempt; observers read it after the answer.
   */
  trace?: InferenceTrace;
  /** Sticky rollout assignment (header or body field). */
  routingKey?: string;
  /** Admin override of the rollout variant. */
  override?: Variant;
}

export interface PredictRequest extends RoutedRequest {
  instances: Array<Record<string, unknown>>;
}

/** A V2 inference request: tensors the route decodes for whichever version answers. */
export interface TensorRequest extends RoutedRequest {
  /** rows in the request (the first dimension), for metrics */
  rows: number;
  /** The feeds and the outputs to fetch for this version, or a V2_BAD_REQUEST error. */
  decode(model: LoadedModel): TensorCall;
  /** Whether to read the run back as records and predictions (drift monitoring of this version). */
  wantsRecords?(model: LoadedModel): boolean;
}

export interface TensorCall {
  feeds: Record<string, OnnxValue>;
  fetches: string[];
}

export interface TensorResult {
  model: LoadedModel;
  /** in the order of the fetches */
  outputs: Array<[name: string, value: OnnxValue]>;
  /** the run as records and predictions, when the request wanted them and they could be read */
  records?: { rows: Array<Record<string, unknown>>; predictions: Prediction[] };
  variant?: Variant;
  rolloutId?: string;
}

/** One request's work on whichever version answers: check the input against it, then run it. */
interface Job<C, O> {
  /**
   * Throws (or rejects with) the client's error (4xx) when the input does not fit this version.
   * Synchronous when tracing is off: a promise per step was a microtask and garbage per request.
   */
  check(model: LoadedModel, spans: SpanScope, attributes: Record<string, string>): C | Promise<C>;
  /** `decision`: the rollout's routing of this request, when one routed it */
  run(model: LoadedModel, checked: C, decision?: RouteDecisionLike): Promise<O>;
  /** After stable answered during a rollout (shadow mirroring). */
  onStable?(decision: RouteDecisionLike, output: O): void;
  /** What one row of the answer predicted, for the rollout judge's prediction-shift check. */
  value?(model: LoadedModel, output: O): number | string | undefined;
}

export interface PredictResult {
  model: string;
  version: string;
  artifactSha256: string;
  predictionId: string;
  predictions: Prediction[];
  /** During a rollout: which variant answered, and the rollout. */
  variant?: Variant;
  rolloutId?: string;
  /** ONNX Runtime time of this request (the rollout judge compares model time) */
  inferenceMs?: number;
}

/** What predict needs from rollouts (implemented by Rollouts). */
export interface RolloutRouter {
  route(model: string, routingKey: string | undefined, override?: Variant): RouteDecisionLike | undefined;
  recordShadow(
    d: RouteDecisionLike,
    outcome: { agreed: number; compared: number; serverError: boolean; latencyMs: number },
  ): void;
}

const MAX_SHADOW = 4;

/** The version's fault, not the client's: a 5xx, or stored bytes that no longer verify. */
function isServerFailure(err: unknown): boolean {
  return !isAppError(err) || err.status >= 500 || err.code === 'ARTIFACT_INTEGRITY_FAILED';
}

/** Monitoring and analysis never fail an answered request: what cannot be read is left out. */
function quietly<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * One prediction of an answered request for the prediction-shift check, when the rollout asks for
 * them and routing (not an admin override) picked the arm.
 */
function sampled<C, O>(
  req: RoutedRequest,
  decision: RouteDecisionLike,
  job: Job<C, O>,
  done: { model: LoadedModel; output: O },
): number | string | undefined {
  if (!decision.predictions || req.override !== undefined || !job.value) return undefined;
  return quietly(() => job.value!(done.model, done.output));
}

/** One row's prediction value, picked at random: rows of one request are not independent. */
function oneValue(model: LoadedModel, predictions: readonly Prediction[]): number | string | undefined {
  const p = predictions[Math.floor(Math.random() * predictions.length)];
  return p && model.predictionValue(p);
}

/** Same label (classification), or values within 1% (regression). */
function agrees(a: Prediction, b: Prediction): boolean {
  if ('label' in a && 'label' in b) return a.label === b.label;
  if ('value' in a && 'value' in b)
    return Math.abs(a.value - b.value) <= 0.01 * Math.max(Math.abs(b.value), 1e-9);
  return false;
}

/** The prediction use case: pick the version, validate against its contract, run it. */
export class PredictService {
  #shadowInFlight = 0;
  /** shadow requests dropped because MAX_SHADOW were already running */
  shadowShed = 0;
  readonly breakers: VersionBreakers;

  constructor(
    private readonly serving: ServingService,
    private readonly store: RegistryStore,
    private readonly inferenceTimeoutMs = Infinity,
    /** rollout routing; without it every request goes to production */
    private readonly router?: RolloutRouter,
    breakers?: VersionBreakers,
  ) {
    this.breakers = breakers ?? new VersionBreakers();
  }

  /** Native predict: JSON records, validated against the answering version's contract. */
  async predict(req: PredictRequest): Promise<PredictResult> {
    const rows = req.instances;
    const valid = (problems: FieldProblem[]) => {
      if (problems.length === 0) return rows;
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      throw new AppError('VALIDATION_FAILED', `${problems[0]!.pointer}: ${problems[0]!.detail}${more}`, {
        errors: problems,
      });
    };
    const r = await this.#routed(req, rows.length, {
      check: (model, spans, attributes) => {
        const problems = inSpan(spans, 'modelgate.validate', attributes, () => model.validate(rows));
        return problems instanceof Promise ? problems.then(valid) : valid(problems);
      },
      run: (model, checked) => model.predict(checked, this.inferenceTimeoutMs),
      onStable: (decision, out) =>
        decision.shadow &&
        this.#shadow(decision, req.model, out.predictions, async (candidate) =>
          // the candidate's contract differs: not comparable
          candidate.validate(req.instances).length > 0
            ? undefined
            : candidate.predict(req.instances, this.inferenceTimeoutMs),
        ),
      value: (model, out) => oneValue(model, out.predictions),
    });
    const { identity } = r.model;
    return {
      model: identity.model,
      version: identity.version,
      artifactSha256: identity.artifactSha256,
      // time-ordered (UUIDv7): the prediction log's primary key grows at its end; random v4 ids
      // made each insert 3× dearer and slower as the table grew (docs/benchmarks.md)
      predictionId: uuidv7(),
      predictions: r.output.predictions,
      inferenceMs: r.output.inferenceMs,
      ...(r.decision ? { variant: r.variant, rolloutId: r.decision.rolloutId } : {}),
    };
  }

  /**
   * Open Inference Protocol inference: tensors instead of records, through the same routing,
   * circuit breakers, candidate fallback and metrics as `predict`. `decode` checks and converts
   * the tensors for the version that answers (a candidate may declare other inputs). Shadow steps,
   * drift windows and the prediction-shift check read the answer through the version's own
   * outputs, fetched along with the requested ones.
   */
  async infer(req: TensorRequest): Promise<TensorResult> {
    const r = await this.#routed(req, req.rows, {
      check: (model, spans, attributes) =>
        inSpan(spans, 'modelgate.validate', attributes, () => req.decode(model)),
      run: async (model, call, decision) => {
        // the native outputs too, when drift monitoring wants records or the rollout compares the
        // arms' predictions: ONNX Runtime computes them anyway
        const watched = req.wantsRecords?.(model) === true;
        const native = watched || decision?.predictions === true || decision?.shadow === true;
        const fetches = native ? [...new Set([...call.fetches, ...fetchesOf(model.outputs)])] : call.fetches;
        const out = await model.runTensors(call.feeds, fetches, this.inferenceTimeoutMs);
        // the native predictions, read once however many of shadow, judge and drift ask
        let read: Prediction[] | undefined;
        const predictions = () => (read ??= model.predictionsOf(out.outputs, req.rows));
        return { ...out, feeds: call.feeds, fetches: call.fetches, watched, native, predictions };
      },
      onStable: (decision, out) => {
        const stable = decision.shadow && out.native ? quietly(out.predictions) : undefined;
        if (!stable) return; // not shadowed, or outputs that do not read back: nothing to compare
        this.#shadow(decision, req.model, stable, async (candidate) => {
          let call: TensorCall;
          try {
            call = req.decode(candidate);
          } catch {
            return undefined; // the candidate's inputs differ: not comparable
          }
          const run = await candidate.runTensors(
            call.feeds,
            fetchesOf(candidate.outputs),
            this.inferenceTimeoutMs,
          );
          return {
            predictions: candidate.predictionsOf(run.outputs, req.rows),
            inferenceMs: run.inferenceMs,
          };
        });
      },
      value: (model, out) => (out.native ? oneValue(model, out.predictions()) : undefined),
    });
    const { output } = r;
    const records = output.watched
      ? quietly(() => ({ rows: r.model.rowsOf(output.feeds), predictions: output.predictions() }))
      : undefined;
    return {
      model: r.model,
      outputs: output.fetches.map((n) => [n, output.outputs[n]!]),
      ...(records ? { records } : {}),
      ...(r.decision ? { variant: r.variant, rolloutId: r.decision.rolloutId } : {}),
    };
  }

  /**
   * Picks the version (rollout routing unless pinned), checks the input against it and runs it
   * behind its circuit breaker. During a rollout a candidate's server failure is answered by
   * stable and counted against the candidate; a client error is the client's, from either arm.
   */
  async #routed<C, O extends { inferenceMs: number }>(
    req: RoutedRequest,
    instances: number,
    job: Job<C, O>,
  ): Promise<{ model: LoadedModel; output: O; variant: Variant; decision?: RouteDecisionLike }> {
    const spans = req.spans ?? NO_SPANS;
    const trace = req.trace ?? newTrace('native');
    const decision =
      req.version === undefined ? this.router?.route(req.model, req.routingKey, req.override) : undefined;
    const arm = (variant: Variant, started: number, serverError: boolean, prediction?: number | string) => {
      const outcome: ArmOutcome = {
        decision: decision!,
        variant,
        serverError,
        latencyMs: performance.now() - started,
      };
      if (prediction !== undefined) outcome.prediction = prediction;
      trace.arms.push(outcome);
    };
    if (decision?.variant === 'candidate') {
      const started = performance.now();
      try {
        const done = await this.#run(req, trace, spans, instances, job, decision, () =>
          this.#pinned(req.model, decision.candidate),
        );
        arm('candidate', started, false, sampled(req, decision, job, done));
        return { ...done, variant: 'candidate', decision };
      } catch (err) {
        const serverError = isServerFailure(err);
        arm('candidate', started, serverError);
        if (!serverError) throw err;
        // the candidate failed: stable answers, and the failure counts against the candidate
      }
    }
    const started = performance.now();
    try {
      const done = await this.#run(req, trace, spans, instances, job, decision, () =>
        req.version === undefined ? this.#production(req.model) : this.#pinned(req.model, req.version),
      );
      if (!decision) return { ...done, variant: 'stable' };
      arm('stable', started, false, sampled(req, decision, job, done));
      job.onStable?.(decision, done.output);
      return { ...done, variant: 'stable', decision };
    } catch (err) {
      if (decision) arm('stable', started, isServerFailure(err));
      throw err;
    }
  }

  /**
   * Mirrors a request to the candidate after stable answered: on the next turn of the event loop
   * (the answer is already on its way), at most MAX_SHADOW at a time; more are shed, never queued
   * behind live traffic.
   */
  #shadow(
    decision: RouteDecisionLike,
    modelName: string,
    stable: Prediction[],
    mirror: (
      candidate: LoadedModel,
    ) => Promise<{ predictions: Prediction[]; inferenceMs: number } | undefined>,
  ): void {
    if (this.#shadowInFlight >= MAX_SHADOW) {
      this.shadowShed++;
      return;
    }
    this.#shadowInFlight++;
    setImmediate(() => {
      const started = performance.now();
      Promise.resolve(this.#pinned(modelName, decision.candidate))
        .then(async (model) => {
          const mirrored = await mirror(model);
          if (!mirrored) return;
          const { predictions, inferenceMs } = mirrored;
          const agreed = predictions.filter((p, i) => agrees(p, stable[i]!)).length;
          // model time, as for the live arms: a mirrored run waits behind live traffic by design
          this.router!.recordShadow(decision, {
            agreed,
            compared: predictions.length,
            serverError: false,
            latencyMs: inferenceMs,
          });
        })
        .catch(() =>
          this.router!.recordShadow(decision, {
            agreed: 0,
            compared: 0,
            serverError: true,
            latencyMs: performance.now() - started,
          }),
        )
        .finally(() => this.#shadowInFlight--);
    });
  }

  async #run<C, O extends { inferenceMs: number }>(
    req: RoutedRequest,
    trace: InferenceTrace,
    spans: SpanScope,
    instances: number,
    job: Job<C, O>,
    decision: RouteDecisionLike | undefined,
    pick: () => LoadedModel | Promise<LoadedModel>,
  ): Promise<{ model: LoadedModel; output: O }> {
    // Tracing off, a loaded version and a synchronous check go straight through: no await until
    // inference (awaiting a value that is no promise still costs a microtask)
    const picked = inSpan(spans, 'modelgate.route', { 'modelgate.model': req.model }, pick);
    const model = picked instanceof Promise ? await picked : picked;
    const { identity } = model;
    trace.model = identity.model;
    trace.version = identity.version;
    const attributes = { 'modelgate.model': identity.model, 'modelgate.version': identity.version };
    spans.setAttributes(attributes);
    const attempt: Attempt = {
      model: identity.model,
      version: identity.version,
      outcome: 'invalid',
      instances,
    };
    trace.attempts.push(attempt);
    const pending = job.check(model, spans, attributes);
    const checked = pending instanceof Promise ? await pending : pending;
    try {
      const output = await inSpan(
        spans,
        'modelgate.inference',
        { ...attributes, 'modelgate.instances': instances },
        () => this.breakers.run(model, () => job.run(model, checked, decision)),
      );
      attempt.outcome = 'ok';
      attempt.inferenceMs = output.inferenceMs;
      return { model, output };
    } catch (err) {
      attempt.outcome = err instanceof AppError && err.code === 'INFERENCE_TIMEOUT' ? 'timeout' : 'error';
      throw err;
    }
  }

  /** The version that answers for `model` without routing (production, or the pinned one): V2 metadata. */
  async resolve(model: string, version?: string): Promise<LoadedModel> {
    return version === undefined ? this.#production(model) : this.#pinned(model, version);
  }

  /** The production version from memory; a promise only when none answers (to say why). */
  #production(name: string): LoadedModel | Promise<LoadedModel> {
    return this.serving.production(name) ?? this.#whyNotServing(name);
  }

  async #whyNotServing(name: string): Promise<never> {
    // Off the hot path: say precisely why nothing answers.
    const route = this.serving.route(name);
    if (route?.state === 'failed' && route.error) {
      throw new AppError(
        'MODEL_NOT_READY',
        `the production version ${route.aliases.production} of '${name}' cannot serve: ${route.error.detail}`,
      );
    }
    if (route?.state === 'loading') {
      throw new AppError('MODEL_NOT_READY', `the production version of '${name}' is loading`, {
        headers: { 'retry-after': '1' },
      });
    }
    if (!(await this.store.getModel(name)))
      throw new AppError('MODEL_NOT_FOUND', `model '${name}' is not registered`);
    throw new AppError('MODEL_NOT_READY', `model '${name}' has no production version; promote one`);
  }

  /** A pinned version: from memory when loaded, else loaded from the registry. */
  #pinned(name: string, version: string): LoadedModel | Promise<LoadedModel> {
    return this.serving.cached(name, version) ?? this.#loadPinned(name, version);
  }

  async #loadPinned(name: string, version: string): Promise<LoadedModel> {
    const v = await this.store.getVersion(name, version);
    if (!v) {
      if (!(await this.store.getModel(name)))
        throw new AppError('MODEL_NOT_FOUND', `model '${name}' is not registered`);
      throw new AppError('VERSION_NOT_FOUND', `model '${name}' has no version '${version}'`);
    }
    return this.serving.pinned(v);
  }
}
