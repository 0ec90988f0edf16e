import { randomUUID } from 'node:crypto';
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
}

export interface PredictResult {
  model: string;
  version: string;
  artifactSha256: string;
  predictionId: string;
  predictions: Prediction[];
}

/** The prediction use case: pick the version, validate against its contract, run it. */
export class PredictService {
  constructor(
    private readonly serving: ServingService,
    private readonly store: RegistryStore,
    private readonly inferenceTimeoutMs = Infinity,
  ) {}

  async predict(req: PredictRequest): Promise<PredictResult> {
    const model =
      req.version === undefined
        ? await this.#production(req.model)
        : await this.#pinned(req.model, req.version);
    const problems = model.validate(req.instances);
    if (problems.length > 0) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      throw new AppError('VALIDATION_FAILED', `${problems[0]!.pointer}: ${problems[0]!.detail}${more}`, {
        errors: problems,
      });
    }
    const predictions = await model.predict(req.instances, this.inferenceTimeoutMs);
    const { identity } = model;
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
