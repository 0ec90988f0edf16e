import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { isAppError } from '../shared/errors.js';
import { DatabaseHealth } from './database-health.js';
import { guardedPool } from './guarded-pool.js';

/**
 * The guarded pool on a fake node-postgres pool, for outcomes a real server produces only by a
 * race (database-faults.int.test.ts and database-outage.test.ts meet them on a real PostgreSQL).
 */
const lost = () => new Error('Connection terminated unexpectedly');
const withCode = (code: string) => Object.assign(new Error(code), { code });

type Answer = Error | { rows: unknown[] };

class FakeClient {
  readonly statements: string[] = [];
  released: Array<Error | undefined> = [];
  constructor(
    readonly name: string,
    private readonly answers: Answer[],
  ) {}
  async query(sql: string) {
    this.statements.push(sql);
    const answer = this.answers.shift() ?? { rows: [{ from: this.name }] };
    if (answer instanceof Error) throw answer;
    return answer;
  }
  release(err?: Error) {
    if (this.released.length > 0) throw new Error('Release called on client which has already been released');
    this.released.push(err);
  }
}

class FakePool extends EventEmitter {
  connects = 0;
  constructor(private readonly clients: Array<FakeClient | Error>) {
    super();
  }
  async connect() {
    this.connects++;
    const next = this.clients.shift();
    if (!next) throw new Error('no more clients');
    if (next instanceof Error) throw next;
    return next;
  }
  async end() {}
}

function setup(clients: Array<FakeClient | Error>) {
  const pool = new FakePool(clients);
  const health = new DatabaseHealth({});
  const guarded = guardedPool(pool as unknown as Parameters<typeof guardedPool>[0], health, undefined);
  return { pool, health, guarded };
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
};

describe('guardedPool', () => {
  it('goes past a second dead connection the pool still holds', async () => {
    const dead = [1, 2].map((n) => new FakeClient(`dead${n}`, [withCode('57P01')]));
    const fresh = new FakeClient('fresh', []);
    const { guarded } = setup([...dead, fresh]);
    const client = await guarded.connect();
    const result = (await client.query('select 1', [])) as unknown as { rows: unknown[] };
    assert.deepEqual(result.rows, [{ from: 'fresh' }]);
  });

  it('runs a read that met a connection lost while idle again on another connection', async () => {
    const dead = new FakeClient('dead', [lost()]);
    const fresh = new FakeClient('fresh', []);
    const { pool, health, guarded } = setup([dead, fresh]);
    const client = await guarded.connect();
    const result = (await client.query('select 1', [])) as unknown as { rows: unknown[] };
    assert.deepEqual(result.rows, [{ from: 'fresh' }]);
    client.release();
    assert.equal(pool.connects, 2);
    assert.equal(dead.released.length, 1);
    assert.match(String(dead.released[0]), /Connection terminated/, 'the dead one is destroyed');
    assert.deepEqual(fresh.released, [undefined], 'the new one goes back to the pool');
    assert.equal(health.unavailable(), undefined, 'a connection replaced is no outage');
  });

  for (const [name, sql] of [
    ['begin', 'begin'],
    ['start transaction', 'start transaction isolation level serializable'],
    ['a select after white space', '\n  SELECT * from models'],
  ] as const) {
    it(`runs ${name} once more the same way`, async () => {
      const dead = new FakeClient('dead', [withCode('57P01')]);
      const fresh = new FakeClient('fresh', []);
      const { guarded } = setup([dead, fresh]);
      const client = await guarded.connect();
      await client.query(sql, []);
      assert.deepEqual(fresh.statements, [sql]);
    });
  }

  it('never runs a write again: it may have been committed before the connection broke', async () => {
    const dead = new FakeClient('dead', [lost()]);
    const { pool, health, guarded } = setup([dead, new FakeClient('unused', [])]);
    const client = await guarded.connect();
    const err = await rejection(client.query('insert into audit values ($1)', [1]));
    assert.equal(isAppError(err) && err.code, 'DATABASE_UNAVAILABLE');
    client.release();
    assert.equal(pool.connects, 1);
    assert.equal(dead.released.length, 1);
    assert.ok(dead.released[0] instanceof Error, 'destroyed, not reused');
    assert.match(health.unavailable() ?? '', /connection lost/);
  });

  it('never repeats a statement after the first of a checkout (a transaction is under way)', async () => {
    const conn = new FakeClient('conn', [{ rows: [] }, lost()]);
    const { pool, guarded } = setup([conn, new FakeClient('unused', [])]);
    const client = await guarded.connect();
    await client.query('begin', []);
    const err = await rejection(client.query('select 1', []));
    assert.equal(isAppError(err) && err.code, 'DATABASE_UNAVAILABLE');
    assert.equal(pool.connects, 1);
  });

  it('does not repeat after a timeout or a refused connection: it would only wait again', async () => {
    for (const cause of [withCode('57014'), new Error('Query read timeout'), withCode('ECONNREFUSED')]) {
      const conn = new FakeClient('conn', [cause]);
      const { pool, guarded } = setup([conn, new FakeClient('unused', [])]);
      const client = await guarded.connect();
      const err = await rejection(client.query('select 1', []));
      assert.equal(isAppError(err) && err.code, 'DATABASE_UNAVAILABLE', cause.message);
      assert.equal(pool.connects, 1, cause.message);
    }
  });

  it('repeats twice at most: a third lost connection is DATABASE_UNAVAILABLE', async () => {
    const dead = [1, 2, 3].map((n) => new FakeClient(`dead${n}`, [lost()]));
    const { pool, guarded } = setup([...dead, new FakeClient('unused', [])]);
    const client = await guarded.connect();
    const err = await rejection(client.query('select 1', []));
    assert.equal(isAppError(err) && err.code, 'DATABASE_UNAVAILABLE');
    client.release();
    assert.equal(pool.connects, 3);
    assert.ok(dead.every((c) => c.released.length === 1 && c.released[0] instanceof Error));
  });

  it('a new connection that cannot be opened is DATABASE_UNAVAILABLE, and release stays safe', async () => {
    const dead = new FakeClient('dead', [lost()]);
    const { health, guarded } = setup([dead, withCode('ECONNREFUSED')]);
    const client = await guarded.connect();
    const err = await rejection(client.query('select 1', []));
    assert.equal(isAppError(err) && err.code, 'DATABASE_UNAVAILABLE');
    client.release(); // nothing lent any more: must not release the dead one twice
    assert.equal(dead.released.length, 1);
    assert.match(health.unavailable() ?? '', /ECONNREFUSED/);
  });

  it('passes a refused statement through untouched, without repeating it', async () => {
    const conn = new FakeClient('conn', [withCode('42P01')]);
    const { pool, guarded } = setup([conn]);
    const client = await guarded.connect();
    const err = await rejection(client.query('select * from nope', []));
    assert.equal((err as { code?: string }).code, '42P01');
    assert.equal(isAppError(err), false);
    assert.equal(pool.connects, 1);
  });
});
