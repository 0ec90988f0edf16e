import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { describeEachDatabase, testDatabase } from '../helpers/databases.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import type {
  IdempotencyId,
  IdempotencyStore,
  StoredResponse,
} from '../../src/modules/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../../src/modules/idempotency/memory-idempotency-store.js';
import { SqlIdempotencyStore } from '../../src/modules/idempotency/sql-idempotency-store.js';

const id: IdempotencyId = {
  principal: 'key:A',
  method: 'POST',
  route: '/v1/models/:name/predict',
  key: 'k-1',
};
const response: StoredResponse = {
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: '{"prediction_id":"p1"}',
  headers: {},
};
const T0 = Date.UTC(2026, 10, 23);
const LOCK = 60_000;
const TTL = 86_400_000;

/** The contract every store keeps: memory, SQLite and PostgreSQL alike. */
function contract(make: (ctx: TestContext) => Promise<IdempotencyStore>): void {
  it('claims a new key once; the same request meanwhile sees it running', async (ctx) => {
    const store = await make(ctx);
    assert.deepEqual(await store.claim(id, 'fp', T0, LOCK), { kind: 'claimed' });
    assert.deepEqual(await store.claim(id, 'fp', T0 + 10, LOCK), { kind: 'running' });
    // while the first runs, any request with the key waits: its fingerprint is compared once done
    assert.deepEqual(await store.claim(id, 'other', T0 + 10, LOCK), { kind: 'running' });
  });

  it('replays the stored response until it expires, then forgets it', async (ctx) => {
    const store = await make(ctx);
    await store.claim(id, 'fp', T0, LOCK);
    await store.complete(id, response, T0 + TTL);
    assert.deepEqual(await store.claim(id, 'fp', T0 + 1000, LOCK), { kind: 'replay', response });
    assert.deepEqual(await store.claim(id, 'other', T0 + 1000, LOCK), { kind: 'mismatch' });
    assert.deepEqual(await store.claim(id, 'other', T0 + TTL + 1, LOCK), { kind: 'claimed' });
  });

  it('scopes records by principal, method and route', async (ctx) => {
    const store = await make(ctx);
    await store.claim(id, 'fp', T0, LOCK);
    for (const other of [
      { ...id, principal: 'key:B' },
      { ...id, method: 'PUT' },
      { ...id, route: '/v1/keys' },
    ]) {
      assert.deepEqual(await store.claim(other, 'fp', T0, LOCK), { kind: 'claimed' });
    }
  });

  it('frees a released claim, and takes over a claim whose lock ran out', async (ctx) => {
    const store = await make(ctx);
    await store.claim(id, 'fp', T0, LOCK);
    await store.release(id);
    assert.deepEqual(await store.claim(id, 'fp2', T0 + 1, LOCK), { kind: 'claimed' });
    assert.deepEqual(await store.claim(id, 'fp2', T0 + LOCK, LOCK), { kind: 'running' });
    assert.deepEqual(await store.claim(id, 'fp3', T0 + LOCK + 2, LOCK), { kind: 'claimed' });
  });

  it('lets exactly one of many concurrent claims win', async (ctx) => {
    const store = await make(ctx);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.claim({ ...id, key: 'race' }, 'fp', T0, LOCK)),
    );
    assert.equal(results.filter((r) => r.kind === 'claimed').length, 1);
    assert.equal(results.filter((r) => r.kind === 'running').length, 7);
  });
}

describe('MemoryIdempotencyStore', () => {
  contract(async () => new MemoryIdempotencyStore());

  it('drops the oldest record when full', async () => {
    let dropped = 0;
    const store = new MemoryIdempotencyStore({ maxEntries: 3 }, (n) => (dropped += n));
    for (const key of ['a', 'b', 'c', 'd']) await store.claim({ ...id, key }, 'fp', T0, LOCK);
    assert.equal(store.size, 3);
    assert.equal(dropped, 1);
    assert.deepEqual(await store.claim({ ...id, key: 'a' }, 'fp', T0, LOCK), { kind: 'claimed' });
  });

  it('is bounded in bytes: large stored responses push the oldest records out, counted', async () => {
    let dropped = 0;
    const store = new MemoryIdempotencyStore({ maxBytes: 500_000 }, (n) => (dropped += n));
    const big = { ...response, body: 'x'.repeat(100_000) };
    for (let i = 0; i < 20; i++) {
      const key = { ...id, key: `k${i}` };
      await store.claim(key, 'fp', T0, LOCK);
      await store.complete(key, big, T0 + TTL);
      assert.ok(store.bytes <= 500_000, `${store.bytes} bytes after ${i + 1} responses`);
    }
    // each record: 100,000 body + 31 content type + its key and fingerprint + 200 overhead
    assert.equal(store.size, 4);
    assert.equal(dropped, 16);
    assert.deepEqual(await store.claim({ ...id, key: 'k19' }, 'fp', T0 + 1, LOCK), {
      kind: 'replay',
      response: big,
    });
    assert.deepEqual(await store.claim({ ...id, key: 'k0' }, 'fp', T0 + 1, LOCK), { kind: 'claimed' });
  });

  it('a response larger than the whole bound is not remembered; its running claim was kept until then', async () => {
    let dropped = 0;
    const store = new MemoryIdempotencyStore({ maxBytes: 10_000 }, (n) => (dropped += n));
    await store.claim(id, 'fp', T0, LOCK);
    assert.deepEqual(await store.claim(id, 'fp', T0 + 1, LOCK), { kind: 'running' });
    await store.complete(id, { ...response, body: 'y'.repeat(20_000) }, T0 + TTL);
    assert.deepEqual({ size: store.size, bytes: store.bytes, dropped }, { size: 0, bytes: 0, dropped: 1 });
  });
});

describeEachDatabase('SqlIdempotencyStore', (dialect) => {
  const make = async (ctx: TestContext) => {
    const t = await testDatabase(dialect, ctx);
    const handle = openDatabase({
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    });
    ctx.after(() => handle.close());
    await migrate(handle);
    return new SqlIdempotencyStore(handle.db);
  };
  contract(make);

  it('purges expired records and stale claims', async (ctx) => {
    const store = await make(ctx);
    await store.claim({ ...id, key: 'done' }, 'fp', T0, LOCK);
    await store.complete({ ...id, key: 'done' }, response, T0 + TTL);
    await store.claim({ ...id, key: 'stale' }, 'fp', T0, LOCK);
    await store.claim({ ...id, key: 'fresh' }, 'fp', T0 + TTL, LOCK);
    assert.equal(await store.purgeExpired(T0 + TTL + 1), 2);
    assert.deepEqual(await store.claim({ ...id, key: 'fresh' }, 'fp', T0 + TTL + 2, LOCK), {
      kind: 'running',
    });
  });
});
