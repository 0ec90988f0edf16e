import assert from 'node:assert/strict';
import { it } from 'node:test';
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
