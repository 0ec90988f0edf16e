import { randomUUID } from 'node:crypto';
import { NO_SPANS, type SpanScope } from '../../shared/spans.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { VersionBreakers } from './breakers.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { LoadedModel } from './loaded-model.js';
import type { Prediction } from './output-plan.js';
import type { ServingService } from './serving-service.js';

export interface PredictRequest {
  model: string;
  /** Pinned version; when absent the production version answers. */
  version?: string;
  instances: Array<Record<string, unknown>>;
  /** Spans for routing, validation and inference (tracing); none by default. */
  spans?: SpanScope;
  /** Told which version answers as soon as it is picked (before validation can fail). */
  onVersion?: (model: string, version: string) => void;
  /** Sticky rollout assignment (header or body field). */
  routingKey?: string;
  /** Admin override of the rollout variant. */
  override?: Variant;
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

export type PredictOutcome = 'ok' | 'invalid' | 'error' | 'timeout';

/** What happened to one predict request, for metrics and statistics. */
export interface PredictEvent {
  model: string;
  version: string;
  outcome: PredictOutcome;
  instances: number;
  /** ONNX Runtime time, when the model ran. */
  inferenceMs?: number;
}

export type PredictObserver = (e: PredictEvent) => void;

const MAX_SHADOW = 4;

export type Variant = 'stable' | 'candidate';

export interface RouteDecisionLike {
  rolloutId: string;
  candidate: string;
  variant: Variant;
  shadow: boolean;
}

/** What predict needs from rollouts (implemented by RolloutService). */
export interface RolloutRouter {
  route(model: string, routingKey: string | undefined, override?: Variant): RouteDecisionLike | undefined;
  record(d: RouteDecisionLike, variant: Variant, outcome: { serverError: boolean; latencyMs: number }): void;
  recordShadow(
    d: RouteDecisionLike,
    outcome: { agreed: number; compared: number; serverError: boolean; latencyMs: number },
  ): void;
}

/** The version's fault, not the client's: a 5xx, or stored bytes that no longer verify. */
function isServerFailure(err: unknown): boolean {
  return !isAppError(err) || err.status >= 500 || err.code === 'ARTIFACT_INTEGRITY_FAILED';
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
    private readonly observe: PredictObserver = () => undefined,
    /** rollout routing; without it every request goes to production */
    private readonly router?: RolloutRouter,
    breakers?: VersionBreakers,
  ) {
    this.breakers = breakers ?? new VersionBreakers();
  }

  async predict(req: PredictRequest): Promise<PredictResult> {
    const spans = req.spans ?? NO_SPANS;
    const decision =
      req.version === undefined ? this.router?.route(req.model, req.routingKey, req.override) : undefined;
    if (decision?.variant === 'candidate') {
      const started = performance.now();
      try {
        const result = await this.#run(req, spans, () => this.#pinned(req.model, decision.candidate));
        this.router!.record(decision, 'candidate', {
          serverError: false,
          latencyMs: performance.now() - started,
        });
        return { ...result, variant: 'candidate', rolloutId: decision.rolloutId };
      } catch (err) {
        const serverError = isServerFailure(err);
        this.router!.record(decision, 'candidate', { serverError, latencyMs: performance.now() - started });
        if (!serverError) throw err;
        // the candidate failed: stable answers, and the failure counts against the candidate
      }
    }
    const started = performance.now();
    try {
      const result = await this.#run(req, spans, () =>
        req.version === undefined ? this.#production(req.model) : this.#pinned(req.model, req.version),
      );
      if (decision) {
        this.router!.record(decision, 'stable', {
          serverError: false,
          latencyMs: performance.now() - started,
        });
        if (decision.shadow) this.#shadow(decision, req, result.predictions);
        return { ...result, variant: 'stable', rolloutId: decision.rolloutId };
      }
      return result;
    } catch (err) {
      if (decision) {
        this.router!.record(decision, 'stable', {
          serverError: isServerFailure(err),
          latencyMs: performance.now() - started,
        });
      }
      throw err;
    }
  }

  /**
   * Mirrors a request to the candidate after stable answered: on the next turn of the event loop
   * (the answer is already on its way), at most MAX_SHADOW at a time; more are shed, never queued
   * behind live traffic.
   */
  #shadow(decision: RouteDecisionLike, req: PredictRequest, stable: Prediction[]): void {
    if (this.#shadowInFlight >= MAX_SHADOW) {
      this.shadowShed++;
      return;
    }
    this.#shadowInFlight++;
    setImmediate(() => {
      const started = performance.now();
      this.#pinned(req.model, decision.candidate)
        .then(async (model) => {
          if (model.validate(req.instances).length > 0) return; // the candidate's contract differs: not comparable
          const { predictions, inferenceMs } = await model.predict(req.instances, this.inferenceTimeoutMs);
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

  async #run(
    req: PredictRequest,
    spans: SpanScope,
    pick: () => Promise<LoadedModel>,
  ): Promise<PredictResult> {
    const model = await spans.child('modelgate.route', { 'modelgate.model': req.model }, pick);
    const { identity } = model;
    req.onVersion?.(identity.model, identity.version);
    const attributes = { 'modelgate.model': identity.model, 'modelgate.version': identity.version };
    spans.setAttributes(attributes);
    const event = { model: identity.model, version: identity.version, instances: req.instances.length };
    const problems = await spans.child('modelgate.validate', attributes, () => model.validate(req.instances));
    if (problems.length > 0) {
      this.observe({ ...event, outcome: 'invalid' });
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      throw new AppError('VALIDATION_FAILED', `${problems[0]!.pointer}: ${problems[0]!.detail}${more}`, {
        errors: problems,
      });
    }
    let predictions: Prediction[];
    let inferenceMs: number;
    try {
      const result = await spans.child(
        'modelgate.inference',
        { ...attributes, 'modelgate.instances': req.instances.length },
        () => this.breakers.run(model, req.instances, this.inferenceTimeoutMs),
      );
      predictions = result.predictions;
      inferenceMs = result.inferenceMs;
      this.observe({ ...event, outcome: 'ok', inferenceMs });
    } catch (err) {
      const timeout = err instanceof AppError && err.code === 'INFERENCE_TIMEOUT';
      this.observe({ ...event, outcome: timeout ? 'timeout' : 'error' });
      throw err;
    }
    return {
      model: identity.model,
      version: identity.version,
      artifactSha256: identity.artifactSha256,
      predictionId: randomUUID(),
      predictions,
      inferenceMs,
    };
  }

  /** The version that answers for `model` (production, or the pinned one): for the V2 protocol. */
  resolve(model: string, version?: string): Promise<LoadedModel> {
    return version === undefined ? this.#production(model) : this.#pinned(model, version);
  }

  async #production(name: string): Promise<LoadedModel> {
    const loaded = this.serving.production(name);
    if (loaded) return loaded;
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

  async #pinned(name: string, version: string): Promise<LoadedModel> {
    const hit = this.serving.cached(name, version);
    if (hit) return hit;
    const v = await this.store.getVersion(name, version);
    if (!v) {
      if (!(await this.store.getModel(name)))
        throw new AppError('MODEL_NOT_FOUND', `model '${name}' is not registered`);
      throw new AppError('VERSION_NOT_FOUND', `model '${name}' has no version '${version}'`);
    }
    return this.serving.pinned(v);
  }
}
