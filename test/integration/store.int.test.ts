import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { it, type TestContext } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { describeEachDatabase, testDatabase } from '../helpers/databases.js';
import { AppError } from '../../src/shared/errors.js';
import { sha256Hex, stageStream, type BlobStore } from '../../src/store/blob-store.js';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import { FileBlobStore } from '../../src/store/file-blob-store.js';
import { migrate, type Migration } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { PgBlobStore } from '../../src/store/pg-blob-store.js';

describeEachDatabase('migrations', (dialect) => {
  const open = async (ctx: TestContext): Promise<DatabaseHandle> => {
    const t = await testDatabase(dialect, ctx);
    return openDatabase({
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    });
  };

  it('apply every migration once and are idempotent', async (t) => {
    const db = await open(t);
    try {
      assert.deepEqual(
        await migrate(db),
        MIGRATIONS.map((m) => m.name),
      );
      assert.deepEqual(await migrate(db), []);
      const rows = await db.db.selectFrom('schema_migrations').select('name').execute();
      assert.deepEqual(
        rows.map((r) => r.name),
        MIGRATIONS.map((m) => m.name),
      );
    } finally {
      await db.close();
    }
  });

  it('apply exactly once when replicas start together', async (ctx0) => {
    const t = await testDatabase(dialect, ctx0);
    if (dialect === 'sqlite') {
      // SQLite replicas are processes sharing one file (serve, keys --local).
      const run = () =>
        new Promise<number>((resolve, reject) =>
          execFile(
            process.execPath,
            ['--import', 'tsx', 'test/helpers/migrate-child.ts', t.home],
            (err, stdout) => (err ? reject(new Error(err.message)) : resolve(Number(stdout.trim()))),
          ),
        );
      const results = await Promise.all([run(), run(), run()]);
      assert.deepEqual(results.sort(), [0, 0, MIGRATIONS.length]);
      return;
    }
    const opts = {
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    };
    const replicas = [openDatabase(opts), openDatabase(opts), openDatabase(opts)];
    try {
      const results = await Promise.all(replicas.map((r) => migrate(r)));
      assert.deepEqual(results.map((r) => r.length).sort(), [0, 0, MIGRATIONS.length]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('roll a failing migration back whole, leaving nothing half-applied', async (t) => {
    const db = await open(t);
    const broken: Migration = {
      name: '9999_broken',
      async up(k: Kysely<unknown>) {
        await k.schema.createTable('half_done').addColumn('x', 'integer').execute();
        await sql`select * from no_such_table`.execute(k);
      },
    };
    try {
      await assert.rejects(migrate(db, [...MIGRATIONS, broken]));
      const names = (
        await db.db
          .selectFrom('schema_migrations')
          .select('name')
          .execute()
          .catch(() => [])
      ).map((r) => r.name);
      assert.ok(!names.includes('9999_broken'));
      await assert.rejects(
        sql`select * from half_done`.execute(db.db),
        'the table created before the failure is gone',
      );
      assert.equal(names.length, 0, 'the whole batch rolled back, including the good migrations');
      assert.deepEqual(
        await migrate(db),
        MIGRATIONS.map((m) => m.name),
        'a later start applies them',
      );
    } finally {
      await db.close();
    }
  });

  it('refuse a database migrated by a newer binary', async (t) => {
    const db = await open(t);
    try {
      await migrate(db);
      await db.db.insertInto('schema_migrations').values({ name: '9000_future', applied_at: 'x' }).execute();
      await assert.rejects(migrate(db), /newer modelgate \(unknown migrations: 9000_future\)/);
    } finally {
      await db.close();
    }
  });
});

describeEachDatabase('blob store', (dialect) => {
  const setup = async (
    ctx: TestContext,
  ): Promise<{ blobs: BlobStore; staging: string; home: string; close: () => Promise<void> }> => {
    const t = await testDatabase(dialect, ctx);
    const db = openDatabase({
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    });
    await migrate(db);
    const blobs =
      dialect === 'postgres' ? new PgBlobStore(db.db) : new FileBlobStore(join(t.home, 'artifacts'));
    return { blobs, staging: join(t.home, 'staging'), home: t.home, close: () => db.close() };
  };

  it('stores content-addressed bytes, idempotently, and consumes the staged file', async (t) => {
    const s = await setup(t);
    try {
      const bytes = Buffer.from('onnx bytes '.repeat(1000));
      const staged = await stageStream(Readable.from([bytes]), s.staging, 1e6, 'x');
      assert.equal(staged.sha256, sha256Hex(bytes));
      assert.equal(staged.size, bytes.length);
      assert.equal(await s.blobs.has(staged.sha256), false);
      await s.blobs.put(staged);
      assert.equal(existsSync(staged.path), false, 'staged file consumed');
      assert.deepEqual(await s.blobs.get(staged.sha256), bytes);
      const again = await stageStream(Readable.from([bytes]), s.staging, 1e6, 'x');
      await s.blobs.put(again);
      assert.deepEqual(await s.blobs.get(staged.sha256), bytes);
      assert.equal(await s.blobs.get('0'.repeat(64)), undefined);
      assert.deepEqual(readdirSync(s.staging), [], 'nothing left in staging');
    } finally {
      await s.close();
    }
  });

  it('stores files larger than one chunk, and streams them back in chunks', async (t) => {
    const s = await setup(t);
    try {
      const bytes = Buffer.alloc(9 * 1024 * 1024 + 7, 3);
      const staged = await stageStream(Readable.from([bytes]), s.staging, 1e9, 'x');
      await s.blobs.put(staged);
      assert.equal(sha256Hex((await s.blobs.get(staged.sha256))!), sha256Hex(bytes));
      const chunks: Uint8Array[] = [];
      for await (const chunk of (await s.blobs.stream(staged.sha256))!) chunks.push(chunk);
      assert.equal(sha256Hex(Buffer.concat(chunks)), sha256Hex(bytes), 'streamed, the same bytes');
      assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
      assert.ok(Math.max(...chunks.map((c) => c.length)) <= 8 * 1024 * 1024, 'chunks of at most 8 MiB');
      assert.equal(await s.blobs.stream('0'.repeat(64)), undefined);
    } finally {
      await s.close();
    }
  });

  it('refuses a staged file over the limit and leaves nothing behind', async (t) => {
    const s = await setup(t);
    try {
      await assert.rejects(
        stageStream(Readable.from([Buffer.alloc(2000)]), s.staging, 1000, "file 'm.onnx'"),
        (err: unknown) =>
          err instanceof AppError &&
          err.code === 'PAYLOAD_TOO_LARGE' &&
          /file 'm.onnx' is larger than the limit of 1000 bytes/.test(err.detail),
      );
      assert.deepEqual(readdirSync(s.staging), []);
    } finally {
      await s.close();
    }
  });

  if (dialect === 'sqlite') {
    it('repairs a damaged file when the same content is stored again', async (t) => {
      const s = await setup(t);
      try {
        const bytes = Buffer.from('good bytes');
        await s.blobs.put(await stageStream(Readable.from([bytes]), s.staging, 1e6, 'x'));
        const path = (s.blobs as FileBlobStore).pathOf(sha256Hex(bytes));
        chmodSync(path, 0o644);
        writeFileSync(path, 'tampered');
        await s.blobs.put(await stageStream(Readable.from([bytes]), s.staging, 1e6, 'x'));
        assert.deepEqual(await s.blobs.get(sha256Hex(bytes)), bytes);
      } finally {
        await s.close();
      }
    });
  }
});
