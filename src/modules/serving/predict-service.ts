import { randomUUID } from 'node:crypto';
import { NO_SPANS, type SpanScope } from '../../shared/spans.js';
import { AppError } from '../../shared/errors.js';
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
}

export interface PredictResult {
  model: string;
  version: string;
  artifactSha256: string;
  predictionId: string;
  predictions: Prediction[];
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

/** The prediction use case: pick the version, validate against its contract, run it. */
export class PredictService {
  constructor(
    private readonly serving: ServingService,
    private readonly store: RegistryStore,
    private readonly inferenceTimeoutMs = Infinity,
    private readonly observe: PredictObserver = () => undefined,
  ) {}

  async predict(req: PredictRequest): Promise<PredictResult> {
    const spans = req.spans ?? NO_SPANS;
    const model = await spans.child('modelgate.route', { 'modelgate.model': req.model }, () =>
      req.version === undefined ? this.#production(req.model) : this.#pinned(req.model, req.version),
    );
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
    try {
      const result = await spans.child(
        'modelgate.inference',
        { ...attributes, 'modelgate.instances': req.instances.length },
        () => model.predict(req.instances, this.inferenceTimeoutMs),
      );
      predictions = result.predictions;
      this.observe({ ...event, outcome: 'ok', inferenceMs: result.inferenceMs });
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
    };
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
