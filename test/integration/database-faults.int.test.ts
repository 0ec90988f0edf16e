import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { ownPostgresSkip, startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { SuiteScope } from '../helpers/server.js';
import { isAppError } from '../../src/shared/errors.js';
import { openDatabase, type DatabaseHandle } from '../../src/store/database.js';

/**
 * The database layer against a PostgreSQL instance of this test's own, which it stops, freezes
 * and whose connections it kills: the process must live through all of it, every wait must end
 * within its timeout, and every such failure must be DATABASE_UNAVAILABLE.
 */
const TIMEOUTS = { connectMs: 1_000, statementMs: 1_000, idleInTransactionMs: 1_500 };

describe('database faults [own PostgreSQL]', { skip: ownPostgresSkip() }, () => {
  const scope = new SuiteScope();
  let server: OwnPostgres;
  let handle: DatabaseHandle;
  before(async () => {
    server = await startOwnPostgres(scope);
    handle = openDatabase({
      home: '/nonexistent',
      databaseUrl: server.url,
      poolSize: 4,
      timeouts: TIMEOUTS,
      probeIntervalMs: 200,
      logger: pino({ level: 'silent' }),
    });
    scope.after(() => handle.close());
  });
  after(() => scope.run());

  const one = async () => (await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]!.one;
  /** The error a promise rejects with (fails when it resolves). */
  const rejection = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected a rejection');
  };
  const waitFor = async (what: string, cond: () => Promise<boolean> | boolean, ms = 20_000) => {
    const until = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const codeOf = (err: unknown) => (isAppError(err) ? err.code : String(err));

  it('idle pooled connections terminated by the server end no process; the next query opens a new one', async () => {
    // four connections in the pool, all idle afterwards
    await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.05)`.execute(handle.db)));
    const terminated = await server.terminateIdle();
    assert.ok(terminated >= 4, `terminated ${terminated}`);
    // the pool receives the terminations as 'error' events of idle clients (an unhandled one
    // would have ended this process here)
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await one(), 1);
    assert.equal(handle.status.unavailable(), undefined);
  });

  it('a read that meets a pooled connection the server ended while idle runs on a new one', async () => {
    for (let round = 0; round < 5; round++) {
      await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.05)`.execute(handle.db)));
      // the backends exit while this process is blocked: the pool's idle sockets hold the
      // termination unread, so the next checkout hands out a dead connection
      assert.ok(server.terminateIdleBlocking() >= 1);
      assert.equal(await one(), 1, `round ${round}`);
      const reads = await Promise.all([1, 2, 3].map(() => one()));
      assert.deepEqual(reads, [1, 1, 1]);
      assert.equal(handle.status.unavailable(), undefined, 'a replaced connection is no outage');
    }
  });

  it('a write that meets such a connection is not repeated (it may have committed): DATABASE_UNAVAILABLE', async () => {
    await sql`create table if not exists fault_writes (n int)`.execute(handle.db);
    await Promise.all([1, 2, 3, 4].map(() => sql`select pg_sleep(0.05)`.execute(handle.db)));
    assert.ok(server.terminateIdleBlocking() >= 1);
    const err = await rejection(sql`insert into fault_writes values (1)`.execute(handle.db));
    assert.equal(codeOf(err), 'DATABASE_UNAVAILABLE');
    const rows = await server.query<{ n: number }>('select count(*)::int as n from fault_writes');
    assert.equal(rows[0]!.n, 0, 'written nowhere, and not twice');
    await waitFor('a healthy query', async () => (await one().catch(() => 0)) === 1);
  });

  it('a connection lost in the middle of a transaction fails that call with DATABASE_UNAVAILABLE, and only it', async () => {
    const slow = rejection(
      handle.db.transaction().execute(async (trx) => {
        await sql`select pg_sleep(30), 'victim'`.execute(trx);
      }),
    );
    await waitFor('the query to run', async () => {
      const rows = await server.query(
        `select 1 from pg_stat_activity where query like '%''victim''%' and pid <> pg_backend_pid()`,
      );
      return rows.length > 0;
    });
    await server.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query like '%''victim''%' and pid <> pg_backend_pid()`,
    );
    const err = await slow;
    assert.equal(codeOf(err), 'DATABASE_UNAVAILABLE');
    assert.deepEqual((err as { extras: { headers: unknown } }).extras.headers, { 'retry-after': '5' });
    assert.equal(await one(), 1, 'the next query runs on a healthy connection');
  });

  it('a statement that runs too long is cancelled by the statement timeout: DATABASE_UNAVAILABLE', async () => {
    const started = Date.now();
    const err = await rejection(sql`select pg_sleep(10)`.execute(handle.db));
    assert.equal(codeOf(err), 'DATABASE_UNAVAILABLE');
    assert.ok(Date.now() - started < 8_000, 'ended by the 1 s statement timeout, not the 10 s sleep');
    assert.equal(
      handle.status.unavailable(),
      undefined,
      'a slow query does not make the database unavailable',
    );
    assert.equal(await one(), 1);
  });

  it('a query the database refuses is not an outage', async () => {
    const err = await rejection(sql`select * from no_such_table`.execute(handle.db));
    assert.match(String((err as Error).message), /no_such_table/);
    assert.equal(isAppError(err), false);
    assert.equal(handle.status.unavailable(), undefined);
  });

  it('a session left idle in a transaction is ended by the server', async () => {
    const err = await rejection(
      handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await new Promise((r) => setTimeout(r, TIMEOUTS.idleInTransactionMs + 1_000));
        await sql`select 2`.execute(trx);
      }),
    );
    assert.equal(codeOf(err), 'DATABASE_UNAVAILABLE');
    await waitFor('a healthy query', async () => (await one().catch(() => 0)) === 1);
  });

  it('a stopped database: DATABASE_UNAVAILABLE at once, status says so; answers again once it is back', async () => {
    await server.stop('fast');
    const started = Date.now();
    const err = await rejection(one());
    assert.equal(codeOf(err), 'DATABASE_UNAVAILABLE');
    assert.ok(Date.now() - started < 8_000);
    assert.match(handle.status.unavailable() ?? '', /^database unavailable since \S+ \(.+\)$/);
    assert.doesNotMatch(
      handle.status.unavailable()!,
      /127\.0\.0\.1|postgres:\/\//,
      'no address in the reason',
    );
    await server.start();
    // the probe notices without any traffic
    await waitFor('the probe to see the database again', () => handle.status.unavailable() === undefined);
    assert.equal(await one(), 1);
  });

  it('a frozen database (SIGSTOP): queries end with DATABASE_UNAVAILABLE within the timeouts instead of hanging', async () => {
    await Promise.all([1, 2].map(() => one())); // idle connections that will hang on the frozen server
    server.freeze();
    try {
      const started = Date.now();
      const errors = await Promise.all([1, 2, 3, 4, 5, 6].map(() => rejection(one())));
      const took = Date.now() - started;
      assert.deepEqual(
        errors.map(codeOf),
        errors.map(() => 'DATABASE_UNAVAILABLE'),
      );
      // statement 1 s (+1 s client margin) on open connections, connect 1 s for new ones, and a
      // wait for a pool slot of at most the connect timeout: far from "as long as it is frozen"
      assert.ok(took < 10_000, `took ${took} ms`);
      assert.ok(handle.status.unavailable());
    } finally {
      server.thaw();
    }
    await waitFor('a healthy query after the thaw', async () => (await one().catch(() => 0)) === 1);
    await waitFor('status up', () => handle.status.unavailable() === undefined);
  });
});
