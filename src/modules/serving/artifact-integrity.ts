import type { Logger } from 'pino';
import type { BlobStore } from '../../store/blob-store.js';
import { checkArtifact, type FileCheck } from '../registry/artifact-set.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { VersionIdentity } from './loaded-model.js';

export interface IntegrityResult {
  model: string;
  version: string;
  /** every stored file still has its registered SHA-256 */
  ok: boolean;
  files: FileCheck[];
}

export interface ArtifactIntegrityDeps {
  /** The versions loaded in this process now. */
  loaded: () => ReadonlyArray<{ identity: VersionIdentity; released: boolean }>;
  versions: Pick<RegistryStore, 'getVersion'>;
  blobs: BlobStore;
  logger: Logger;
  /**
   * After each run: the versions checked, and every version that was loaded (a loaded version
   * missing from `results` could not be read this time; its last result stands).
   */
  onRun: (results: IntegrityResult[], loaded: Array<{ model: string; version: string }>) => void;
}

/**
 * Re-hashes the stored artifacts of the versions this process has loaded, one file at a time and
 * streamed (a 2 GB artifact is read a few MiB at a time and never blocks the event loop for its
 * length), off the request path. A loaded version keeps serving from the verified bytes in
 * memory either way; a changed artifact is logged and reported, because that version can no
 * longer be loaded, promoted or rolled back to. main.ts runs it every
 * `integrityCheckIntervalSeconds`.
 */
export class ArtifactIntegrityCheck {
  #running: Promise<IntegrityResult[]> | undefined;
  #closed = false;

  constructor(private readonly deps: ArtifactIntegrityDeps) {}

  /** One pass over the loaded versions; a call while a pass runs shares that pass. */
  run(): Promise<IntegrityResult[]> {
    return (this.#running ??= this.#run().finally(() => (this.#running = undefined)));
  }

  /** Stops after the file being hashed, and waits for that. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running?.catch(() => undefined);
  }

  async #run(): Promise<IntegrityResult[]> {
    const loaded = new Map<string, { model: string; version: string }>();
    for (const m of this.deps.loaded()) {
      if (m.released) continue;
      const { model, version } = m.identity;
      loaded.set(`${model}@${version}`, { model, version });
    }
    const results: IntegrityResult[] = [];
    for (const { model, version } of loaded.values()) {
      if (this.#closed) return results;
      try {
        const v = await this.deps.versions.getVersion(model, version);
        if (!v) continue;
        const files = await checkArtifact(this.deps.blobs, v);
        const ok = files.every((f) => f.ok);
        if (!ok) {
          this.deps.logger.error(
            { model, version, files: files.filter((f) => !f.ok) },
            'stored artifact no longer matches its registered hash',
          );
        }
        results.push({ model, version, ok, files });
      } catch (err) {
        this.deps.logger.warn({ err, model, version }, 'stored artifact could not be re-hashed');
      }
    }
    if (!this.#closed) this.deps.onRun(results, [...loaded.values()]);
    return results;
  }
}
