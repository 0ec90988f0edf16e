import { isAppError } from '../../shared/errors.js';
import type { Logger } from 'pino';
import type { ModelVersion } from '../registry/types.js';
import type { LoadedModel } from './loaded-model.js';

export type VersionLoader = (version: ModelVersion) => Promise<LoadedModel>;

export const versionKey = (model: string, version: string): string => `${model}@${version}`;

/**
 * The loaded versions of this process. Concurrent requests for the same version share one load;
 * versions that aliases point at are retained, the others are evicted least recently used once
 * more than `maxLoaded` are loaded. An evicted version is released after its requests finish.
 */
export class RuntimePool {
  readonly #loaded = new Map<string, { model: LoadedModel; lastUsed: number }>();
  readonly #loading = new Map<string, Promise<LoadedModel>>();
  #retained = new Set<string>();
  #tick = 0;

  constructor(
    private readonly load: VersionLoader,
    private readonly maxLoaded: number,
    private readonly logger: Logger,
    private readonly onLoadFailure: (model: string, version: string, code: string) => void = () => undefined,
  ) {}

  get(key: string): LoadedModel | undefined {
    const entry = this.#loaded.get(key);
    if (entry) entry.lastUsed = ++this.#tick;
    return entry?.model;
  }

  async acquire(version: ModelVersion): Promise<LoadedModel> {
    const key = versionKey(version.model, version.version);
    const hit = this.get(key);
    if (hit) return hit;
    let pending = this.#loading.get(key);
    if (!pending) {
      pending = this.#loadAndAdd(key, version);
      this.#loading.set(key, pending);
    }
    return pending;
  }

  /** Keys that must stay loaded (the versions aliases point at). Others become evictable. */
  retain(keys: Iterable<string>): void {
    this.#retained = new Set(keys);
    this.#evict();
  }

  loaded(): LoadedModel[] {
    return [...this.#loaded.values()].map((e) => e.model);
  }

  async close(): Promise<void> {
    const all = [...this.#loaded.values()].map((e) => e.model);
    this.#loaded.clear();
    await Promise.all(all.map((m) => m.release()));
  }

  async #loadAndAdd(key: string, version: ModelVersion): Promise<LoadedModel> {
    const started = performance.now();
    try {
      const model = await this.load(version);
      this.#loaded.set(key, { model, lastUsed: ++this.#tick });
      this.logger.info(
        { model: version.model, version: version.version, load_ms: Math.round(performance.now() - started) },
        'model version loaded',
      );
      this.#evict();
      return model;
    } catch (err) {
      this.onLoadFailure(version.model, version.version, isAppError(err) ? err.code : 'INTERNAL');
      throw err;
    } finally {
      this.#loading.delete(key);
    }
  }

  #evict(): void {
    if (this.#loaded.size <= this.maxLoaded) return;
    const candidates = [...this.#loaded]
      .filter(([key]) => !this.#retained.has(key))
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of candidates) {
      if (this.#loaded.size <= this.maxLoaded) break;
      this.#loaded.delete(key);
      this.logger.info(
        { model: entry.model.identity.model, version: entry.model.identity.version },
        'model version unloaded',
      );
      void entry.model
        .release()
        .catch((err: unknown) => this.logger.error({ err, key }, 'releasing a model version failed'));
    }
  }
}
