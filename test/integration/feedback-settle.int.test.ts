import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { testDatabase } from '../helpers/databases.js';
import { systemClock } from '../../src/shared/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { FeedbackService } from '../../src/modules/feedback/feedback-service.js';
import { PredictionLog, threadedSqlitePredictionInsert } from '../../src/modules/feedback/prediction-log.js';
import type { RegistryStore } from '../../src/modules/registry/registry-store.js';

describe('feedback for a prediction another worker still holds', () => {
  it('waits once for the other process to flush, then joins; without the wait it is unknown', async (t) => {
    const tdb = await testDatabase('sqlite', t);
    // two handles on one file: the two workers of `serve --workers 2`
    const a = openDatabase({ home: tdb.home });
    const b = openDatabase({ home: tdb.home });
    t.after(async () => {
      await a.close();
      await b.close();
    });
    await migrate(a);
    const options = { flushMs: 300, batchSize: 500, maxQueueBytes: 1_000_000, maxBatchBytes: 1_000_000 };
    const silent = pino({ level: 'silent' });
    const writerA = threadedSqlitePredictionInsert(a.location);
    const logA = new PredictionLog(a.db, systemClock, silent, options, undefined, writerA);
    const logB = new PredictionLog(b.db, systemClock, silent, options);
    t.after(async () => {
      await logA.close();
      await writerA.close();
      await logB.close();
    });
    const store = {} as RegistryStore;
    const actor = { id: 'key:test', name: 'test' };
    const add = (id: string) =>
      logA.add({
        id,
        model: 'm',
        version: '1.0.0',
        variant: null,
        rolloutId: null,
        predictions: [{ label: 'x' }] as never,
      });

    add('p-1');
    const impatient = new FeedbackService(b.db, logB, store, systemClock, () => undefined, 0);
    const missed = await impatient.submit('m', [{ prediction_id: 'p-1', label: 'x' }], actor);
    assert.deepEqual([missed.accepted, missed.unknown.length], [0, 1]);

    add('p-2');
    const patient = new FeedbackService(b.db, logB, store, systemClock, () => undefined, 800);
    const started = Date.now();
    const joined = await patient.submit(
      'm',
      [
        { prediction_id: 'p-2', label: 'x' },
        { prediction_id: 'nope', label: 'x' },
      ],
      actor,
    );
    assert.deepEqual([joined.accepted, joined.unknown.map((u) => u.prediction_id)], [1, ['nope']]);
    // one wait for the whole submission, not one per unknown id
    assert.ok(Date.now() - started < 1600, `took ${Date.now() - started} ms`);
  });
});
