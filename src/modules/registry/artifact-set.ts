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

/**
 * SHA-256 of a stored blob, read chunk by chunk (a 2 GB artifact never sits in memory whole, and
 * the event loop turns between chunks); null when the blob is missing.
 */
export async function hashStored(blobs: BlobStore, sha256: string): Promise<string | null> {
  const chunks = await blobs.stream(sha256);
  if (!chunks) return null;
  const hash = createHash('sha256');
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/** Re-hashes every stored file of a version, streamed; `actual` is null when the file is missing. */
export async function checkArtifact(blobs: BlobStore, version: ModelVersion): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const f of version.files) {
    const actual = await hashStored(blobs, f.sha256);
    checks.push({ path: f.path, expected: f.sha256, actual, ok: actual === f.sha256 });
  }
  return checks;
}

/**
 * Re-hashes every stored file of a version (streamed, without loading it) and throws
 * ARTIFACT_INTEGRITY_FAILED at the first one that is missing or changed.
 */
export async function verifyStoredArtifact(blobs: BlobStore, version: ModelVersion): Promise<void> {
  for (const check of await checkArtifact(blobs, version)) {
    if (!check.ok) throw integrityFailure(version, check.path, check.expected, check.actual);
  }
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
    const actual = bytes ? createHash('sha256').update(bytes).digest('hex') : null;
    if (!bytes || actual !== f.sha256) throw integrityFailure(version, f.path, f.sha256, actual);
    files.set(f.path, bytes);
  }
  return files;
}

function integrityFailure(
  version: ModelVersion,
  path: string,
  expected: string,
  actual: string | null,
): AppError {
  const where = `${version.model} ${version.version} (${path})`;
  return new AppError(
    'ARTIFACT_INTEGRITY_FAILED',
    actual === null
      ? `the stored artifact of ${where} is missing; it will not be served`
      : `the stored artifact of ${where} has SHA-256 ${actual}, but ${expected} was registered; it will not be served`,
  );
}
