import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { describeEachDatabase, testDatabase } from '../helpers/databases.js';
import { systemClock } from '../../src/shared/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import {
  DEFAULT_PREDICTION_LOG_OPTIONS,
  entryBytes,
  PredictionLog,
  SQLITE_ROWS_PER_INSERT,
  threadedSqlitePredictionInsert,
} from '../../src/modules/feedback/prediction-log.js';

describeEachDatabase('prediction log', (dialect) => {
  it('flush writes everything queued, also while a batch is being written', async (t) => {
    const tdb = await testDatabase(dialect, t);
    const db = openDatabase({
      home: tdb.home,
      databaseUrl: tdb.databaseUrl,
      ...(tdb.pgSchema ? { pgSchema: tdb.pgSchema } : {}),
    });
    t.after(() => db.close());
    await migrate(db);
    const log = new PredictionLog(db.db, systemClock, pino({ level: 'silent' }), {
      flushMs: 3_600_000,
      batchSize: 10,
      maxQueueBytes: 1_000_000,
      maxBatchBytes: 1_000_000,
    });
    const add = (i: number) =>
      log.add({
        id: `p${i}`,
        model: 'm',
        version: '1',
        variant: null,
        rolloutId: null,
        predictions: [{ value: i }],
      });
    // 10 rows start a batch write; 25 more queue behind it before flush is called
    for (let i = 0; i < 35; i++) add(i);
    await log.flush();
    const rows = await db.db.selectFrom('predictions').select('id').execute();
    assert.equal(rows.length, 35);
    assert.equal(log.dropped, 0);
    await log.close();
  });

  it('holds no row once it is written: the bytes go back to 0 and reads come from the database', async (t) => {
    const tdb = await testDatabase(dialect, t);
    const db = openDatabase({
      home: tdb.home,
      databaseUrl: tdb.databaseUrl,
      ...(tdb.pgSchema ? { pgSchema: tdb.pgSchema } : {}),
    });
    t.after(() => db.close());
    await migrate(db);
    const log = new PredictionLog(db.db, systemClock, pino({ level: 'silent' }), {
      ...DEFAULT_PREDICTION_LOG_OPTIONS,
      flushMs: 3_600_000,
    });
    t.after(() => log.close());
    const predictions = Array.from({ length: 1000 }, (_, i) => ({
      label: i % 2 ? 'benign' : 'malignant',
      probabilities: { benign: 0.25, malignant: 0.75 },
    }));
    for (let i = 0; i < 20; i++)
      log.add({ id: `big${i}`, model: 'm', version: '1', variant: null, rolloutId: null, predictions });
    assert.ok(log.bytes > 20 * 60_000, `${log.bytes} bytes queued`);
    const queued = await log.get('big3');
    assert.deepEqual(queued?.predictions[1], predictions[1], 'an unwritten entry is read from memory');
    await log.flush();
    assert.equal(log.bytes, 0, 'nothing is held once written');
    await db.db.updateTable('predictions').set({ model_name: 'from-db' }).where('id', '=', 'big3').execute();
    const written = await log.get('big3');
    assert.equal(written?.model, 'from-db', 'a written entry is read from the database');
    assert.deepEqual(written?.predictions, predictions);
  });
});

describe('prediction log memory bound', () => {
  const stalled = () => {
    // a database whose inserts never finish: nothing leaves the queue but by being dropped
    const inserts: number[] = [];
    const db = {
      insertInto: () => ({
        values: (rows: unknown[]) => ({
          onConflict: () => ({
            execute: () => {
              inserts.push(rows.length);
              return new Promise(() => undefined);
            },
          }),
        }),
      }),
      selectFrom: () => ({
        selectAll: () => ({ where: () => ({ executeTakeFirst: async () => undefined }) }),
      }),
    } as unknown as ConstructorParameters<typeof PredictionLog>[0];
    return { db, inserts };
  };
  const entry = (id: string, rows: number) => ({
    id,
    model: 'm',
    version: '1.0.0',
    variant: null,
    rolloutId: null,
    predictions: Array.from({ length: rows }, () => ({ value: 0.5 })),
  });

  it('counts an entry as its serialised strings plus a fixed overhead', () => {
    const row = {
      id: 'abc',
      model_name: 'model',
      version: '1.0.0',
      variant: 'candidate',
      rollout_id: 'r1',
      at: '2026-01-01T00:00:00.000Z',
      outputs: '[{"value":1}]',
      inputs: '[{"x":1}]',
    };
    assert.equal(entryBytes(row), 256 + 3 + 5 + 5 + 9 + 2 + 24 + 13 + 9);
    assert.equal(
      entryBytes({ ...row, variant: null, rollout_id: null, inputs: null }),
      256 + 3 + 5 + 5 + 24 + 13,
    );
  });

  it('drops the oldest waiting entries past maxQueueBytes, counts them, and keeps the newest readable', async () => {
    const { db, inserts } = stalled();
    let reported = 0;
    const log = new PredictionLog(
      db,
      systemClock,
      pino({ level: 'silent' }),
      { flushMs: 3_600_000, batchSize: 10, maxQueueBytes: 200_000, maxBatchBytes: 50_000 },
      (n) => (reported += n),
    );
    // each entry: 1000 × '{"value":0.5}' + commas + brackets = 14,001 characters, + 256 + strings
    const one = entryBytes({
      id: 'p000',
      model_name: 'm',
      version: '1.0.0',
      variant: null,
      rollout_id: null,
      at: new Date().toISOString(),
      outputs: JSON.stringify(entry('p', 1000).predictions),
      inputs: null,
    });
    for (let i = 0; i < 100; i++) log.add(entry(`p${String(i).padStart(3, '0')}`, 1000));
    assert.ok(log.bytes <= 200_000, `${log.bytes} bytes held`);
    assert.ok(log.bytes > 200_000 - one, 'the bound is used, not undershot');
    // the first batch was handed to the stalled database (10 rows, capped at 50 kB → 3 rows)
    assert.deepEqual(inserts, [3]);
    const kept = Math.floor(200_000 / one);
    assert.equal(log.dropped, 100 - kept);
    assert.equal(reported, log.dropped);
    assert.ok(await log.get('p099'), 'the newest entry is still readable');
    assert.ok(await log.get('p001'), 'rows in the insert under way are not dropped');
    assert.equal(await log.get('p010'), undefined, 'an old waiting entry was dropped');
  });

  it('a database that fails logs once per outage, counts every row, and says when writes work again', async () => {
    let failing = true;
    const lines: Array<{ msg: string; dropped?: number }> = [];
    const db = {
      insertInto: () => ({
        values: () => ({
          onConflict: () => ({
            execute: async () => {
              if (failing) throw new Error('database away');
            },
          }),
        }),
      }),
    } as unknown as ConstructorParameters<typeof PredictionLog>[0];
    const logger = pino(
      { level: 'info' },
      { write: (l: string) => lines.push(JSON.parse(l) as { msg: string }) },
    );
    const log = new PredictionLog(db, systemClock, logger, {
      ...DEFAULT_PREDICTION_LOG_OPTIONS,
      flushMs: 3_600_000,
    });
    for (let i = 0; i < 3; i++) {
      log.add(entry(`f${i}`, 1));
      await log.flush();
    }
    assert.equal(log.dropped, 3);
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['prediction log batch could not be written'],
    );
    failing = false;
    log.add(entry('ok', 1));
    await log.flush();
    assert.deepEqual(lines.at(-1), { ...lines.at(-1), msg: 'prediction log written again', dropped: 3 });
    await log.close();
  });

  it('an entry larger than the whole bound is dropped at once', () => {
    const { db } = stalled();
    const log = new PredictionLog(db, systemClock, pino({ level: 'silent' }), {
      flushMs: 3_600_000,
      batchSize: 10,
      maxQueueBytes: 10_000,
      maxBatchBytes: 10_000,
    });
    log.add(entry('huge', 5000));
    assert.equal(log.bytes, 0);
    assert.equal(log.dropped, 1);
  });
});

describe('prediction log under steady traffic', () => {
  it('flush returns once what was queued before it is written, though more keeps arriving', async () => {
    // a fake database that receives 20 more predictions during every write: the queue is never
    // empty when a write ends (the real-database tests above cover the SQL)
    const written: string[] = [];
    let writes = 0;
    let stopped = false;
    const db = {
      insertInto: () => ({
        values: (rows: Array<{ id: string }>) => ({
          onConflict: () => ({
            execute: async () => {
              writes++;
              await new Promise((r) => setImmediate(r));
              for (let i = 0; i < 20 && !stopped; i++) add(`later-${writes}-${i}`);
              written.push(...rows.map((r) => r.id));
            },
          }),
        }),
      }),
    } as unknown as ConstructorParameters<typeof PredictionLog>[0];
    const log = new PredictionLog(db, systemClock, pino({ level: 'silent' }), {
      flushMs: 3_600_000,
      batchSize: 10,
      maxQueueBytes: 100_000_000,
      maxBatchBytes: 100_000_000,
    });
    let added = 0;
    const add = (id: string) => {
      added++;
      log.add({ id, model: 'm', version: '1', variant: null, rolloutId: null, predictions: [] });
    };
    for (let i = 0; i < 35; i++) add(`first-${i}`);
    await log.flush();
    const first = written.filter((id) => id.startsWith('first-'));
    assert.equal(first.length, 35, 'everything queued before the flush is written');
    assert.ok(written.length < 35 + 20 * writes, 'and the flush did not chase the traffic that followed');
    stopped = true;
    await log.close();
    assert.equal(written.length, added, 'close writes the rest');
    assert.equal(log.dropped, 0);
  });
});

describe('prediction log on embedded SQLite (prepared statement, writer thread)', () => {
  /** A migrated SQLite database and a writer thread on its file. */
  async function writerOnNewDatabase(t: TestContext) {
    const tdb = await testDatabase('sqlite', t);
    const db = openDatabase({ home: tdb.home });
    t.after(() => db.close());
    await migrate(db);
    const insert = threadedSqlitePredictionInsert(db.location);
    t.after(() => insert.close());
    return { db, insert };
  }
  /** A predictions row; 'b' is a candidate's answer in a rollout. */
  const row = (id: string, inputs: string | null = null) => ({
    id,
    model_name: 'm',
    version: '1.0.0',
    variant: id === 'b' ? 'candidate' : null,
    rollout_id: id === 'b' ? 'r1' : null,
    at: '2026-11-30T00:00:00.000Z',
    outputs: '[{"value":1}]',
    inputs,
  });

  it('writes the same rows as the Kysely insert, skips ids already written, and fails a batch as a whole', async (t) => {
    const { db, insert } = await writerOnNewDatabase(t);
    await insert([row('a', null), row('b', '[{"x":1}]')]);
    // 'a' again: skipped, not an error; 'c' is written
    await insert([row('a', 'changed'), row('c', null)]);
    // read through the server's own connection: the thread's commit is visible to it at once
    const rows = await db.db.selectFrom('predictions').selectAll().orderBy('id').execute();
    assert.deepEqual(rows, [row('a', null), row('b', '[{"x":1}]'), row('c', null)]);
    // a row the table refuses (NOT NULL) rolls the whole batch back
    await assert.rejects(
      insert([row('d', null), { ...row('e', null), outputs: null as unknown as string }]),
      /NOT NULL constraint failed: predictions.outputs/,
    );
    assert.equal((await db.db.selectFrom('predictions').select('id').execute()).length, 3);
  });

  it('writes batches past one multi-row statement: every row once, its values intact, duplicates skipped', async (t) => {
    const { db, insert } = await writerOnNewDatabase(t);
    await insert([row('r007', null)]);
    // 2 × 25 rows through the multi-row statement, 11 one by one; r007 was written before, r030
    // comes twice (in the second statement and among the remainder): the first of each stays
    const id = (i: number) => `r${String(i).padStart(3, '0')}`;
    const batch = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? row(id(i), `[{"x":${i}}]`)
        : { ...row(id(i)), variant: 'candidate', rollout_id: `ro${i}` },
    );
    batch.splice(55, 0, { ...row('r030', 'later duplicate') });
    assert.equal(batch.length, SQLITE_ROWS_PER_INSERT * 2 + 11);
    await insert(batch);
    const rows = await db.db.selectFrom('predictions').selectAll().orderBy('id').execute();
    const expected = batch.filter((r, i) => r.id !== 'r007' && batch.findIndex((x) => x.id === r.id) === i);
    expected.push(row('r007', null));
    expected.sort((a, b) => a.id.localeCompare(b.id));
    assert.equal(rows.length, 60);
    assert.deepEqual(rows, expected);
    // a refused row in the middle of a multi-row statement rolls the whole batch back
    const refused = Array.from({ length: 30 }, (_, i) => row(`z${String(i).padStart(2, '0')}`));
    refused[12] = { ...refused[12]!, outputs: null as unknown as string };
    await assert.rejects(insert(refused), /NOT NULL constraint failed: predictions.outputs/);
    assert.equal((await db.db.selectFrom('predictions').select('id').execute()).length, 60);
  });

  it('a writer thread that was closed fails the batch in flight, and the next batch starts a new thread', async (t) => {
    const { db, insert } = await writerOnNewDatabase(t);
    const inFlight = assert.rejects(insert([row('x')]), /the prediction writer thread was closed/);
    await insert.close();
    await inFlight;
    await insert([row('y')]);
    const ids = (await db.db.selectFrom('predictions').select('id').execute()).map((r) => r.id);
    assert.ok(ids.includes('y'));
  });
});
