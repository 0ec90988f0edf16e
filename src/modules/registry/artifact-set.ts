import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ArtifactFile, ModelVersion } from './types.js';

/**
 * The digest that identifies an artifact set. One file: its SHA-256, so it equals
 * `sha256sum model.onnx`. Several files (external data): the SHA-256 of the sorted listing in
 * sha256sum format, i.e. `sha256sum * | sort -k2 | sha256sum` run in the model's folder.
 */
export function artifactDigest(files: ReadonlyArray<Pick<ArtifactFile, 'path' | 'sha256'>>): string {
  if (files.length === 1) return files[0]!.sha256;
  const listing = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
  return createHash('sha256').update(listing).digest('hex');
}

export interface FileCheck {
  path: string;
  expected: string;
  actual: string | null;
  ok: boolean;
}

/** Re-hashes every stored file of a version; `actual` is null when the file is missing. */
export async function checkArtifact(blobs: BlobStore, version: ModelVersion): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const f of version.files) {
    const bytes = await blobs.get(f.sha256);
    const actual = bytes ? createHash('sha256').update(bytes).digest('hex') : null;
    checks.push({ path: f.path, expected: f.sha256, actual, ok: actual === f.sha256 });
  }
  return checks;
}

/**
 * The bytes of every file of a version, each checked against its registered SHA-256. A missing or
 * changed file refuses the whole version with ARTIFACT_INTEGRITY_FAILED.
 */
export async function readVerifiedArtifact(
  blobs: BlobStore,
  version: ModelVersion,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const f of version.files) {
    const bytes = await blobs.get(f.sha256);
    const where = `${version.model} ${version.version} (${f.path})`;
    if (!bytes)
      throw new AppError(
        'ARTIFACT_INTEGRITY_FAILED',
        `the stored artifact of ${where} is missing; it will not be served`,
      );
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== f.sha256) {
      throw new AppError(
        'ARTIFACT_INTEGRITY_FAILED',
        `the stored artifact of ${where} has SHA-256 ${actual}, but ${f.sha256} was registered; it will not be served`,
      );
    }
    files.set(f.path, bytes);
  }
  return files;
}
