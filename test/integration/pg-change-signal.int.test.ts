import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { recordChangeAlone, SqlChangeLog } from '../../src/store/change-log.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { PgChangeSignal } from '../../src/store/pg-change-signal.js';
import { pgTestUrl, testDatabase } from '../helpers/databases.js';
import type { Cleanup } from '../helpers/server.js';

const url = pgTestUrl();

async function migrated(t: Cleanup) {
  const test = await testDatabase('postgres', t);
  const handle = openDatabase({ databaseUrl: url, home: test.home, pgSchema: test.pgSchema! });
  t.after(() => handle.close());
  await migrate(handle);
  return { schema: test.pgSchema!, handle };
}

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(
  'PgChangeSignal [postgres]',
  { skip: url ? false : 'MODELGATE_TEST_DATABASE_URL is not set' },
  () => {
    it('wakes on its schema’s changes only, and reconnects after its connection is killed', async (t) => {
      const { schema, handle } = await migrated(t);
      const other = await migrated(t);
      const states: boolean[] = [];
      let wakes = 0;
      const signal = new PgChangeSignal({
        url: url!,
        pgSchema: schema,
        connectTimeoutMs: 2_000,
        backoff: { initialMs: 50, maxMs: 200 },
        logger: pino({ level: 'silent' }),
        onConnected: (c) => states.push(c),
      });
      t.after(() => signal.close());
      signal.start(() => wakes++);
      await until('connected', () => signal.connected);
      await until('the wake-up after connecting', () => wakes === 1);

      await recordChangeAlone(handle.db, { kind: 'keys', at: new Date().toISOString() });
      await until('woken by its own schema', () => wakes === 2);
      await recordChangeAlone(other.handle.db, { kind: 'keys', at: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(wakes, 2, 'another schema’s change does not wake it');
      assert.equal(await new SqlChangeLog(handle.db).maxSeq(), 1);

      // its backend is found by application_name and killed, as a failover or a proxy would
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const killed = await admin.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
          [`modelgate-changes:${schema}`],
        );
        assert.equal(killed.rowCount, 1);
      } finally {
        await admin.end();
      }
      await until('lost, then connected again', () => states.length >= 3);
      assert.deepEqual(states.slice(0, 3), [true, false, true]);
      // reconnecting wakes the follower (anything committed meanwhile is read), and changes announce again
      await until('the wake-up after reconnecting', () => wakes === 3);
      await recordChangeAlone(handle.db, { kind: 'aliases', model: 'm', at: new Date().toISOString() });
      await until('woken after the reconnect', () => wakes === 4);
    });
  },
);
