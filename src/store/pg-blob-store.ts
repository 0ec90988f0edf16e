import { open, unlink } from 'node:fs/promises';
import type { BlobStore, StagedFile } from './blob-store.js';
import type { Db } from './database.js';

const CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Cluster-mode blobs: chunks of bytea in PostgreSQL, so every replica can load every artifact.
 * The `blobs` row is written last in the same transaction: a blob is visible only when whole.
 */
export class PgBlobStore implements BlobStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(staged: StagedFile): Promise<void> {
    try {
      if (await this.has(staged.sha256)) return;
      const fh = await open(staged.path, 'r');
      try {
        await this.db.transaction().execute(async (trx) => {
          let seq = 0;
          const buffer = Buffer.alloc(CHUNK_BYTES);
          for (;;) {
            const { bytesRead } = await fh.read(buffer, 0, CHUNK_BYTES, null);
            if (bytesRead === 0) break;
            await trx
              .insertInto('blob_chunks')
              .values({ sha256: staged.sha256, seq, data: Buffer.from(buffer.subarray(0, bytesRead)) })
              .onConflict((oc) => oc.columns(['sha256', 'seq']).doNothing())
              .execute();
            seq++;
          }
          await trx
            .insertInto('blobs')
            .values({
              sha256: staged.sha256,
              size: staged.size,
              chunks: seq,
              created_at: this.now().toISOString(),
            })
            .onConflict((oc) => oc.column('sha256').doNothing())
            .execute();
        });
      } finally {
        await fh.close();
      }
    } finally {
      await unlink(staged.path).catch(() => undefined);
    }
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    const blob = await this.db
      .selectFrom('blobs')
      .select(['chunks'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!blob) return undefined;
    const rows = await this.db
      .selectFrom('blob_chunks')
      .select(['seq', 'data'])
      .where('sha256', '=', sha256)
      .orderBy('seq')
      .execute();
    if (rows.length !== blob.chunks) return undefined;
    return Buffer.concat(rows.map((r) => r.data));
  }

  async has(sha256: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('blobs')
      .select('sha256')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    return row !== undefined;
  }
}
