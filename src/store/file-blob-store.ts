import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore, StagedFile } from './blob-store.js';

const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * Embedded-mode blobs: `<root>/sha256/ab/abcdef…`, read-only files. A put renames the staged file
 * into place (atomic on one filesystem, so staging lives under the same home directory).
 */
export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    return join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  async put(staged: StagedFile): Promise<void> {
    const target = this.pathOf(staged.sha256);
    if (await this.#intact(target, staged.sha256)) {
      await unlink(staged.path);
      return;
    }
    // Missing, or present with other bytes (damaged on disk): the staged copy replaces it.
    await mkdir(dirname(target), { recursive: true });
    await chmod(staged.path, 0o444);
    await rename(staged.path, target);
    const dir = await open(dirname(target), 'r');
    await dir.sync();
    await dir.close();
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async stream(sha256: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const fh = await open(this.pathOf(sha256), 'r');
      return fh.createReadStream({ highWaterMark: STREAM_CHUNK_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async delete(sha256: string): Promise<number> {
    const path = this.pathOf(sha256);
    try {
      const { size } = await stat(path);
      await unlink(path);
      return size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  async #intact(path: string, sha256: string): Promise<boolean> {
    if (!(await this.has(sha256))) return false;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }
}
