import assert from 'node:assert/strict';
import { it } from 'node:test';
import { recordChange, recordChangeAlone, SqlChangeLog } from '../../src/store/change-log.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { describeEachDatabase, testDatabase, type TestDialect } from '../helpers/databases.js';
import type { Cleanup } from '../helpers/server.js';

async function open(t: Cleanup, dialect: TestDialect) {
  const test = await testDatabase(dialect, t);
  const handle = openDatabase({
    databaseUrl: test.databaseUrl,
    home: test.home,
    ...(test.pgSchema ? { pgSchema: test.pgSchema } : {}),
  });
  t.after(() => handle.close());
  await migrate(handle);
  return handle;
}

const AT = '2026-01-01T12:00:00.000Z';

describeEachDatabase('change log', (dialect) => {
  it('reads changes after a seq in order, and keeps one hour of them', async (t) => {
    const { db } = await open(t, dialect);
    const log = new SqlChangeLog(db);
    assert.equal(await log.maxSeq(), 0);
    await recordChangeAlone(db, {
      kind: 'aliases',
      model: 'm',
      version: '1.1.0',
      at: '2026-01-01T10:00:00.000Z',
    });
    await recordChangeAlone(db, { kind: 'keys', at: '2026-01-01T11:30:00.000Z' });
    assert.equal(await log.maxSeq(), 2);
    // written at 12:00: the 10:00 row is over an hour old and goes; 11:30 stays
    await recordChangeAlone(db, { kind: 'warm', model: 'm', version: '1.2.0', at: AT });
    assert.deepEqual(await log.since(0, 10), [
      { seq: 2, kind: 'keys', model: null, version: null, at: '2026-01-01T11:30:00.000Z' },
      { seq: 3, kind: 'warm', model: 'm', version: '1.2.0', at: AT },
    ]);
    assert.deepEqual(
      (await log.since(2, 10)).map((c) => c.seq),
      [3],
    );
    assert.deepEqual(
      (await log.since(0, 1)).map((c) => c.seq),
      [2],
    );
    // the newest seq survives the deletion of older rows (a follower starting now starts there)
    assert.equal(await log.maxSeq(), 3);
  });

  it('a change rolled back with its transaction is not recorded', async (t) => {
    const { db } = await open(t, dialect);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await recordChange(trx, { kind: 'aliases', model: 'm', at: AT });
        throw new Error('the alias move failed');
      }),
      /the alias move failed/,
    );
    assert.deepEqual(await new SqlChangeLog(db).since(0, 10), []);
  });

  if (dialect === 'postgres') {
    it('seq order is commit order: a second change waits for the first transaction to commit', async (t) => {
      const { db } = await open(t, dialect);
      const log = new SqlChangeLog(db);
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let recorded: () => void = () => undefined;
      const inFirst = new Promise<void>((r) => (recorded = r));
      const first = db.transaction().execute(async (trx) => {
        await recordChange(trx, { kind: 'aliases', model: 'slow', at: AT });
        recorded();
        await held; // more work in the same transaction, still uncommitted
      });
      await inFirst;
      let secondDone = false;
      const second = recordChangeAlone(db, { kind: 'aliases', model: 'fast', at: AT }).then(
        () => (secondDone = true),
      );
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(secondDone, false, 'the second change waits for the first to commit');
      assert.deepEqual(await log.since(0, 10), [], 'nothing is visible yet');
      release();
      await first;
      await second;
      assert.deepEqual(
        (await log.since(0, 10)).map((c) => [c.seq, c.model]),
        [
          [1, 'slow'],
          [2, 'fast'],
        ],
      );
    });
  }
});
