import type { Logger } from 'pino';
import { AppError, isAppError } from '../../shared/errors.js';
import { KeyedMutex } from '../../shared/keyed-mutex.js';
import type { Manifest } from '../registry/manifest.js';
import type { ServingPort } from '../registry/registry-service.js';
import { sameAliases, type Aliases, type ModelVersion, type VersionSignature } from '../registry/types.js';
import { verifyStoredArtifact } from '../registry/artifact-set.js';
import type { BlobStore } from '../../store/blob-store.js';
import { createLoadedModel } from './create-loaded-model.js';
import type { LoadedModel } from './loaded-model.js';
import { versionKey, type RuntimePool } from './runtime-pool.js';

export type RouteState = 'ready' | 'loading' | 'failed' | 'no-production';

interface ModelRoute {
  aliases: Aliases;
  production?: LoadedModel;
  state: RouteState;
  /** Why the production version cannot serve, when state is 'failed'. */
  error?: { code: string; detail: string };
}

/**
 * What serving reads from the registry: a port owned here, implemented by the registry's store
 * (SqlRegistryStore) and wired in main.ts.
 */
export interface ServingRegistry {
  getAliases(model: string): Promise<Aliases>;
  /** aliases of every model that has any */
  allAliases(): Promise<Map<string, Aliases>>;
  getVersion(model: string, version: string): Promise<ModelVersion | undefined>;
}

export interface ServingDeps {
  store: ServingRegistry;
  blobs: BlobStore;
  pool: RuntimePool;
  threads: number;
  logger: Logger;
  /** The outcome of re-hashing a loaded version's stored artifact before it takes production. */
  onIntegrity?: (result: { model: string; version: string; ok: boolean }) => void;
}

/**
 * Which loaded version answers for each model, and whether it is ready. A switch happens only
 * after the new version is loaded and warmed (hot swap): requests already running finish on the
 * version they started on.
 */
export class ServingService implements ServingPort {
  readonly #routes = new Map<string, ModelRoute>();
  /** one alias change per model at a time: a local promotion and a remote refresh never interleave */
  readonly #mutex = new KeyedMutex();

  constructor(private readonly deps: ServingDeps) {}

  async check(
    candidate: Parameters<ServingPort['check']>[0],
    use?: Parameters<ServingPort['check']>[1],
  ): Promise<VersionSignature> {
    const model = await createLoadedModel({
      identity: {
        model: candidate.model,
        version: candidate.version,
        artifactSha256: candidate.artifactSha256,
        task: candidate.manifest.task,
      },
      manifest: candidate.manifest,
      files: candidate.files,
      mainPath: candidate.mainPath,
      threads: 1,
    });
    try {
      const signature = signatureOf(model);
      await use?.({ signature, ...model.asRowModel() });
      return signature;
    } finally {
      await model.release();
    }
  }

  /**
   * A version about to take traffic: loaded (its stored bytes verified as they are read) or, when
   * it is already loaded (a warm previous version, a pinned one), its stored bytes re-hashed. The
   * session in memory was built from verified bytes, but a stored artifact that changed since
   * must not go into production: it would fail its next load, on every replica and restart.
   */
  async prepare(version: ModelVersion): Promise<void> {
    if (!this.deps.pool.get(versionKey(version.model, version.version))) {
      await this.deps.pool.acquire(version);
      return;
    }
    const report = (ok: boolean) =>
      this.deps.onIntegrity?.({ model: version.model, version: version.version, ok });
    try {
      await verifyStoredArtifact(this.deps.blobs, version);
    } catch (err) {
      if (isAppError(err) && err.code === 'ARTIFACT_INTEGRITY_FAILED') report(false);
      throw err;
    }
    report(true);
  }

  async activate(model: string, aliases: Aliases): Promise<void> {
    await this.#mutex.run(model, () => this.#activate(model, aliases));
  }

  /**
   * Applies the registry's aliases of `model` when another replica (or process) changed them: the
   * new production version is loaded (its stored bytes verified as read), warmed and smoke-tested
   * while the old one keeps answering, then traffic switches; requests already running finish on
   * the version they started on. Meanwhile the route is `loading` (not ready: this replica does
   * not serve what the registry says). If the new version cannot load, the old one keeps
   * answering and the route is `failed` with the error, until a later refresh succeeds.
   */
  async refresh(model: string): Promise<void> {
    await this.#mutex.run(model, async () => {
      const aliases = await this.deps.store.getAliases(model);
      const route = this.#routes.get(model);
      if (
        route &&
        sameAliases(route.aliases, aliases) &&
        route.state !== 'failed' &&
        route.state !== 'loading'
      )
        return;
      await this.#switch(model, aliases);
    });
  }

  /**
   * Compares every model's served aliases with the registry and refreshes those that differ or
   * failed to load: repairs a change this replica missed. Returns the models refreshed.
   */
  async reconcile(): Promise<string[]> {
    const all = await this.deps.store.allAliases();
    const stale = new Set<string>();
    for (const [model, aliases] of all) {
      const route = this.#routes.get(model);
      if (!route || !sameAliases(route.aliases, aliases) || route.state === 'failed') stale.add(model);
    }
    for (const [model, route] of this.#routes)
      if (!all.has(model) && Object.keys(route.aliases).length > 0) stale.add(model);
    for (const model of stale) {
      try {
        await this.refresh(model);
      } catch (err) {
        this.deps.logger.warn({ err, model }, 'reconciling a model failed');
      }
    }
    return [...stale];
  }

  /**
   * A hint that `version` is about to become production (recorded before the promotion commits):
   * loaded ahead so the switch that follows is quick. Not retained: evictable until it serves.
   */
  async warm(model: string, version: string): Promise<void> {
    if (this.cached(model, version)) return;
    await this.deps.pool.acquire(await this.#version(model, version));
  }

  async #switch(model: string, aliases: Aliases): Promise<void> {
    const route: ModelRoute = this.#routes.get(model) ?? { aliases: {}, state: 'no-production' };
    this.#routes.set(model, route);
    const target = aliases.production;
    if (target === undefined || route.production?.identity.version === target) {
      route.aliases = aliases;
      route.state = target === undefined ? 'no-production' : 'ready';
      if (target === undefined) delete route.production;
      delete route.error;
      this.#retainAliased();
      if (aliases.previous) this.#warmPrevious(model, aliases.previous);
      return;
    }
    route.aliases = aliases;
    route.state = 'loading';
    delete route.error;
    const started = performance.now();
    try {
      const version = await this.#version(model, target);
      await this.prepare(version);
      // the same call a local promotion ends with: retained from now on, so never evicted
      route.production = await this.deps.pool.acquire(version);
      route.state = 'ready';
      this.deps.logger.info(
        { model, version: target, switch_ms: Math.round(performance.now() - started) },
        'production version switched (changed elsewhere)',
      );
    } catch (err) {
      route.state = 'failed';
      route.error = isAppError(err)
        ? { code: err.code, detail: err.detail }
        : { code: 'INTERNAL', detail: 'loading failed' };
      this.deps.logger.error(
        { err, model, version: target, serving: route.production?.identity.version },
        'new production version cannot serve; the old one keeps answering',
      );
    } finally {
      this.#retainAliased();
    }
    if (aliases.previous) this.#warmPrevious(model, aliases.previous);
  }

  async #activate(model: string, aliases: Aliases): Promise<void> {
    const route: ModelRoute = { ...this.#routes.get(model), aliases, state: 'no-production' };
    this.#routes.set(model, route);
    if (aliases.production) {
      const version = await this.#version(model, aliases.production);
      route.state = route.production ? route.state : 'loading';
      try {
        route.production = await this.deps.pool.acquire(version);
        route.state = 'ready';
        delete route.error;
      } catch (err) {
        route.state = 'failed';
        route.error = isAppError(err)
          ? { code: err.code, detail: err.detail }
          : { code: 'INTERNAL', detail: 'loading failed' };
        delete route.production;
        throw err;
      } finally {
        this.#retainAliased();
      }
    } else {
      delete route.production;
      this.#retainAliased();
    }
    if (aliases.previous) this.#warmPrevious(model, aliases.previous);
  }

  /** At start: serve every model's production version. A failure leaves that model not ready. */
  async syncAll(): Promise<void> {
    const all = await this.deps.store.allAliases();
    for (const [model, aliases] of all) {
      try {
        await this.activate(model, aliases);
      } catch (err) {
        this.deps.logger.error(
          { err, model, version: aliases.production },
          'production version cannot serve',
        );
      }
    }
  }

  production(model: string): LoadedModel | undefined {
    return this.#routes.get(model)?.production;
  }

  route(model: string): Readonly<ModelRoute> | undefined {
    return this.#routes.get(model);
  }

  /** A version that is already loaded, without touching the database. */
  cached(model: string, version: string): LoadedModel | undefined {
    return this.deps.pool.get(versionKey(model, version));
  }

  /** Loads a version by number for pinned requests (not retained: evictable). */
  async pinned(version: ModelVersion): Promise<LoadedModel> {
    return this.deps.pool.acquire(version);
  }

  /**
   * Per model: `version` is the registry's production version, `serving` the one answering here
   * (they differ while a change made elsewhere loads, or after it failed to load).
   */
  readiness(): {
    ready: boolean;
    models: Array<{
      name: string;
      version: string | null;
      serving: string | null;
      state: RouteState;
      error?: string;
    }>;
  } {
    const models = [...this.#routes]
      .filter(([, r]) => r.aliases.production !== undefined)
      .map(([name, r]) => ({
        name,
        version: r.aliases.production ?? null,
        serving: r.production?.identity.version ?? null,
        state: r.state,
        ...(r.error ? { error: `${r.error.code}: ${r.error.detail}` } : {}),
      }));
    return { ready: models.every((m) => m.state === 'ready'), models };
  }

  loaded(): LoadedModel[] {
    return this.deps.pool.loaded();
  }

  #warmPrevious(model: string, version: string): void {
    // Kept loaded so that a rollback switches instantly; failure here only costs that speed.
    void this.#version(model, version)
      .then((v) => this.deps.pool.acquire(v))
      .catch((err: unknown) =>
        this.deps.logger.warn({ err, model, version }, 'previous version could not be kept warm'),
      );
  }

  #retainAliased(): void {
    const keys: string[] = [];
    for (const [model, r] of this.#routes) {
      if (r.aliases.production) keys.push(versionKey(model, r.aliases.production));
      if (r.aliases.previous) keys.push(versionKey(model, r.aliases.previous));
    }
    this.deps.pool.retain(keys);
  }

  async #version(model: string, version: string): Promise<ModelVersion> {
    const v = await this.deps.store.getVersion(model, version);
    if (!v) throw new AppError('VERSION_NOT_FOUND', `model '${model}' has no version '${version}'`);
    return v;
  }
}

function signatureOf(model: LoadedModel): VersionSignature {
  const { signature, outputs } = model;
  return {
    features: signature.features,
    features_inferred: signature.inferred,
    input_layout: signature.plan.kind,
    ...(outputs.kind === 'classification' ? { labels: outputs.labels } : {}),
  };
}

export type { Manifest };
