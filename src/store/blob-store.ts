import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../shared/errors.js';

/** A file written to local staging while its SHA-256 was computed, waiting to enter a BlobStore. */
export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Content-addressed storage of artifact bytes. Writers hand over a staged file; readers get the
 * bytes back and must verify the hash themselves (the store is not trusted: a file on disk can be
 * changed behind its back, which is what the verification catches).
 */
export interface BlobStore {
  /** Stores the staged file under its hash and consumes it. Idempotent; atomic for readers. */
  put(staged: StagedFile): Promise<void>;
  /** The stored bytes, or undefined when the blob is missing. */
  get(sha256: string): Promise<Buffer | undefined>;
  /**
   * The stored bytes in chunks of a few MiB, or undefined when the blob is missing: for hashing
   * an artifact without holding it whole or blocking the event loop for its length.
   */
  stream(sha256: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  has(sha256: string): Promise<boolean>;
  /**
   * Deletes the blob (the garbage collector of archived versions: callers make sure no live
   * version references it). Returns the bytes freed, 0 when it was already gone.
   */
  delete(sha256: string): Promise<number>;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Streams `source` into `dir` while hashing it. Stops with PAYLOAD_TOO_LARGE past `maxBytes` and
 * leaves nothing behind on any failure. The file is fsynced before this resolves.
 */
export async function stageStream(
  source: Readable,
  dir: string,
  maxBytes: number,
  label: string,
): Promise<StagedFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomBytes(12).toString('hex')}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > maxBytes) {
        cb(new AppError('PAYLOAD_TOO_LARGE', `${label} is larger than the limit of ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(path, { mode: 0o600 }));
    const fh = await open(path, 'r');
    await fh.sync();
    await fh.close();
  } catch (err) {
    await unlink(path).catch(() => undefined);
    throw err;
  }
  return { path, sha256: hash.digest('hex'), size };
}

export function stageLocalFile(
  file: string,
  dir: string,
  maxBytes: number,
  label: string,
): Promise<StagedFile> {
  return stageStream(createReadStream(file), dir, maxBytes, label);
}

/**
 * Removes what interrupted uploads left in the staging folder (`*.part`: a crash or kill -9 in the
 * middle of an upload skips the cleanup of stageStream). Run at start, before this process stages
 * anything; the folder belongs to one server (MODELGATE_HOME is not shared between processes).
 */
export async function cleanStaging(dir: string): Promise<{ files: number; bytes: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
    throw err;
  }
  let files = 0;
  let bytes = 0;
  for (const name of names.filter((n) => n.endsWith('.part'))) {
    const path = join(dir, name);
    try {
      const s = await stat(path);
      if (!s.isFile()) continue;
      await unlink(path);
      files++;
      bytes += s.size;
    } catch {
      // gone meanwhile
    }
  }
  return { files, bytes };
}

export async function discardStaged(files: Iterable<StagedFile>): Promise<void> {
  await Promise.all([...files].map((f) => unlink(f.path).catch(() => undefined)));
}
