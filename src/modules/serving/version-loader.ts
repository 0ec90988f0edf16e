import type { BlobStore } from '../../store/blob-store.js';
import { readVerifiedArtifact } from '../registry/artifact-set.js';
import type { ModelVersion } from '../registry/types.js';
import type { BatchOptions } from './batcher.js';
import { createLoadedModel } from './create-loaded-model.js';
import type { BatchObserver, LoadedModel } from './loaded-model.js';

/** Loads a registered version from the blob store; every file's hash is checked on every load. */
export function versionLoader(
  blobs: BlobStore,
  threads: number,
  batching?: BatchOptions,
  onBatch?: (model: string, version: string) => BatchObserver,
): (v: ModelVersion) => Promise<LoadedModel> {
  return async (v) =>
    createLoadedModel({
      identity: { model: v.model, version: v.version, artifactSha256: v.artifactSha256, task: v.task },
      manifest: v.manifest,
      files: await readVerifiedArtifact(blobs, v),
      mainPath: v.files[0]!.path,
      threads,
      ...(batching ? { batching } : {}),
      ...(onBatch ? { onBatch: onBatch(v.model, v.version) } : {}),
    });
}
