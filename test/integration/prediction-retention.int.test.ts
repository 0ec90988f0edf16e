import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { describeEachDatabase, testDatabase, type TestDialect } from '../helpers/databases.js';
import { FakeClock } from '../../src/shared/clock.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import {
  PredictionRetention,
  type RetentionPolicy,
  type RetentionReason,
} from '../../src/modules/feedback/prediction-retention.js';

const NOW = Date.UTC(2026, 5, 15, 12);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function setup(dialect: TestDialect, t: TestContext): Promise<Db> {
  const tdb = await testDatabase(dialect, t);
  const handle = openDatabase({
    home: tdb.home,
    databaseUrl: tdb.databaseUrl,
    ...(tdb.pgSchema ? { pgSchema: tdb.pgSchema } : {}),
  });
  t.after(() => handle.close());
  await migrate(handle);
  // one active rollout per model: each rollout here is of its own model
  const rollout = (id: string, state: string) => ({
    id,
    model_name: `m-${id}`,
    candidate: '2',
    baseline: '1',
    strategy: 'canary',
    plan: '{}',
    state,
    step_index: 0,
    step_started_at: 0,
    looks: 0,
    max_looks: 1,
    checkpoint: '{}',
    reason: null,
    created_by: 'test',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ended_at: null,
  });
  await handle.db
    .insertInto('rollouts')
    .values([rollout('active', 'running'), rollout('paused', 'paused'), rollout('ended', 'promoted')])
    .execute();
  return handle.db;
}

/** Predictions by id: age in hours, the rollout they belong to, whether they have feedback. */
async function insert(
  db: Db,
  rows: Array<[id: string, ageHours: number, rollout?: string, labelled?: boolean]>,
) {
  await db
    .insertInto('predictions')
    .values(
      rows.map(([id, ageHours, rollout]) => ({
        id,
        model_name: 'm',
        version: '1',
        variant: rollout ? 'candidate' : null,
        rollout_id: rollout ?? null,
        at: new Date(NOW - ageHours * HOUR).toISOString(),
        outputs: '[{"label":"a"}]',
        inputs: null,
      })),
    )
    .execute();
  const labelled = rows.filter(([, , , l]) => l);
  if (labelled.length > 0)
    await db
      .insertInto('feedback')
      .values(
        labelled.map(([id]) => ({
          prediction_id: id,
          idx: 0,
          truth: '"a"',
          at: new Date(NOW).toISOString(),
          principal: 'p',
        })),
      )
      .execute();
}

const ids = async (db: Db, table: 'predictions' | 'feedback') =>
  (table === 'predictions'
    ? (await db.selectFrom('predictions').select('id').execute()).map((r) => r.id)
    : (await db.selectFrom('feedback').select('prediction_id').execute()).map((r) => r.prediction_id)
  ).sort();

function retention(db: Db, policy: Partial<RetentionPolicy>) {
  const batches: Array<[RetentionReason, number]> = [];
  const r = new PredictionRetention(
    db,
    new FakeClock(NOW),
    pino({ level: 'silent' }),
    { maxAgeMs: 0, maxRows: 0, batchSize: 2, ...policy },
    (reason, n) => batches.push([reason, n]),
  );
  return { r, batches };
}

describeEachDatabase('prediction log retention', (dialect) => {
  it('deletes rows past the age limit with their feedback, in batches, except those of active rollouts', async (t) => {
    const db = await setup(dialect, t);
    await insert(db, [
      ['old-1', 200],
      ['old-2', 190],
      ['old-3', 170],
      ['old-labelled', 180, undefined, true],
      ['old-active', 300, 'active', true],
      ['old-paused', 300, 'paused'],
      ['old-ended', 300, 'ended'],
      ['recent', 100],
      ['recent-labelled', 1, undefined, true],
    ]);
    const { r, batches } = retention(db, { maxAgeMs: 7 * DAY }); // 168 h
    assert.equal(await r.sweep(), 5);
    assert.deepEqual(batches, [
      ['age', 2],
      ['age', 2],
      ['age', 1],
    ]);
    assert.deepEqual(await ids(db, 'predictions'), ['old-active', 'old-paused', 'recent', 'recent-labelled']);
    assert.deepEqual(
      await ids(db, 'feedback'),
      ['old-active', 'recent-labelled'],
      'no feedback left without its row',
    );
    assert.equal(await r.sweep(), 0, 'a second pass finds nothing');
  });

  it('keeps the newest maxRows rows, sparing rows with feedback and those of active rollouts', async (t) => {
    const db = await setup(dialect, t);
    await insert(db, [
      ['p1', 10],
      ['p2', 9, undefined, true],
      ['p3', 8, 'active'],
      ['p4', 7],
      ['p5', 6, 'ended'],
      ['p6', 5],
      ['p7', 4],
      ['p8', 3],
    ]);
    const { r, batches } = retention(db, { maxRows: 4 });
    // the newest 4 are p5..p8; of the older ones p2 (labelled) and p3 (active rollout) stay
    assert.equal(await r.sweep(), 2);
    assert.deepEqual(await ids(db, 'predictions'), ['p2', 'p3', 'p5', 'p6', 'p7', 'p8']);
    assert.deepEqual(batches, [['rows', 2]]);
    assert.deepEqual(await ids(db, 'feedback'), ['p2']);
  });

  it('with no limits configured deletes nothing', async (t) => {
    const db = await setup(dialect, t);
    await insert(db, [['ancient', 100_000]]);
    const { r } = retention(db, {});
    assert.equal(await r.sweep(), 0);
    assert.deepEqual(await ids(db, 'predictions'), ['ancient']);
  });
});
