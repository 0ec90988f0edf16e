import { open, unlink } from 'node:fs/promises';
import { sql } from 'kysely';
import type { BlobStore, StagedFile } from './blob-store.js';
import type { Db } from './database.js';

const CHUNK_BYTES = 8 * 1024 * 1024;
const STREAM_SLICE_BYTES = 1024 * 1024;

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

  /**
   * Reads 1 MiB slices (`substring` of a chunk): node-postgres decodes a bytea from hex text in
   * one synchronous call, which takes about 100 ms for a whole 8 MiB chunk on a busy core.
   */
  async stream(sha256: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const blob = await this.db
      .selectFrom('blobs')
      .select(['chunks'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!blob) return undefined;
    const chunks = await this.db
      .selectFrom('blob_chunks')
      .select(['seq', sql<number | string>`octet_length(data)`.as('bytes')])
      .where('sha256', '=', sha256)
      .orderBy('seq')
      .execute();
    if (chunks.length !== blob.chunks) return undefined;
    const db = this.db;
    return (async function* () {
      for (const { seq, bytes } of chunks) {
        for (let offset = 0; offset < Number(bytes); offset += STREAM_SLICE_BYTES) {
          const row = await db
            .selectFrom('blob_chunks')
            .select(sql<Uint8Array>`substring(data from ${offset + 1} for ${STREAM_SLICE_BYTES})`.as('data'))
            .where('sha256', '=', sha256)
            .where('seq', '=', seq)
            .executeTakeFirst();
          if (!row) throw new Error(`blob ${sha256} lost chunk ${seq} while it was read`);
          yield row.data;
        }
      }
    })();
  }

  /** The `blobs` row goes first in the transaction: readers see the blob whole or not at all. */
  async delete(sha256: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const blob = await trx
        .deleteFrom('blobs')
        .where('sha256', '=', sha256)
        .returning('size')
        .executeTakeFirst();
      await trx.deleteFrom('blob_chunks').where('sha256', '=', sha256).execute();
      return blob ? Number(blob.size) : 0;
    });
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
