import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { describeEachDatabase, testDatabase } from '../../../test/helpers/databases.js';
import { systemClock } from '../../shared/clock.js';
import { openDatabase } from '../../store/database.js';
import { migrate } from '../../store/migrate.js';
import { PredictionLog } from './prediction-log.js';

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
      maxQueue: 1000,
      recent: 1000,
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
      maxQueue: 100_000,
      recent: 10,
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
