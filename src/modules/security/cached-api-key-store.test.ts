import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../shared/clock.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { CachedApiKeyStore } from './cached-api-key-store.js';

/** Counts reads so the test can see when the cache answers. */
class CountingStore implements ApiKeyStore {
  reads = 0;
  readonly records = new Map<string, ApiKeyRecord>();
  async get(id: string) {
    this.reads++;
    return this.records.get(id);
  }
  async insert(r: ApiKeyRecord) {
    this.records.set(r.id, r);
  }
  async list() {
    return [...this.records.values()];
  }
  async revoke(id: string) {
    const r = this.records.get(id);
    if (!r || r.revokedAt) return false;
    this.records.set(id, { ...r, revokedAt: 'now' });
    return true;
  }
  async countActive() {
    return [...this.records.values()].filter((r) => !r.revokedAt).length;
  }
}

const record: ApiKeyRecord = {
  id: 'Abc12345xyz0',
  name: 'k',
  keyHash: 'h',
  scopes: ['read'],
  createdAt: 't',
  createdBy: 's',
  revokedAt: null,
};

describe('CachedApiKeyStore', () => {
  it('answers repeated lookups from memory until the TTL passes', async () => {
    const inner = new CountingStore();
    const clock = new FakeClock();
    const store = new CachedApiKeyStore(inner, clock, 5000);
    await inner.insert(record);
    assert.deepEqual(await store.get(record.id), record);
    await store.get(record.id);
    assert.equal(inner.reads, 1);
    clock.advance(5001);
    await store.get(record.id);
    assert.equal(inner.reads, 2);
  });

  it('sees a revoke through itself at once', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 60_000);
    await inner.insert(record);
    await store.get(record.id);
    await store.revoke(record.id, { principal: 'p', action: 'api_key.revoked' });
    assert.equal((await store.get(record.id))?.revokedAt, 'now');
  });

  it('never caches unknown ids, and reads every time with a TTL of 0', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 60_000);
    await store.get('nope');
    await store.get('nope');
    assert.equal(inner.reads, 2);
    const uncached = new CachedApiKeyStore(inner, new FakeClock(), 0);
    await inner.insert(record);
    await uncached.get(record.id);
    await uncached.get(record.id);
    assert.equal(inner.reads, 4);
  });

  it('remembers an unknown id for the negative TTL only: one read per id per TTL', async () => {
    const inner = new CountingStore();
    const clock = new FakeClock();
    const store = new CachedApiKeyStore(inner, clock, 60_000, 3000);
    for (let i = 0; i < 100; i++) assert.equal(await store.get('Unknown00000'), undefined);
    assert.equal(inner.reads, 1);
    clock.advance(2999);
    await store.get('Unknown00000');
    assert.equal(inner.reads, 1);
    clock.advance(1);
    await store.get('Unknown00000');
    assert.equal(inner.reads, 2, 'read again once the negative TTL passed');
    await store.get('Other0000000');
    assert.equal(inner.reads, 3, 'each id is its own entry');
  });

  it('lets a key inserted through it work at once, although its id was just looked up as unknown', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 60_000, 60_000);
    assert.equal(await store.get(record.id), undefined);
    await store.insert(record, { principal: 'p', action: 'api_key.created' });
    assert.deepEqual(await store.get(record.id), record);
  });

  it('does not remember a miss read before an insert that finished while the read was out', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 60_000, 60_000);
    // the read misses; the insert lands before the read's answer arrives
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const get = inner.get.bind(inner);
    inner.get = async (id) => {
      const answer = await get(id);
      await gate;
      return answer;
    };
    const stale = store.get(record.id);
    await store.insert(record, { principal: 'p', action: 'api_key.created' });
    release();
    assert.equal(await stale, undefined, 'the racing read saw the database before the insert');
    inner.get = get;
    assert.deepEqual(await store.get(record.id), record, 'its miss was not remembered');
  });

  it('holds at most 10,000 unknown ids, dropping the oldest', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 60_000, 60_000);
    for (let i = 0; i <= 10_000; i++) await store.get(`id${i}`);
    assert.equal(inner.reads, 10_001);
    await store.get('id10000');
    assert.equal(inner.reads, 10_001, 'the newest is remembered');
    await store.get('id0');
    assert.equal(inner.reads, 10_002, 'the oldest was dropped');
  });

  it('revalidate: a key revoked elsewhere is refused, one created elsewhere is no longer unknown', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 600_000, 600_000);
    await inner.insert(record);
    const other = { ...record, id: 'Other0000001' };
    assert.equal((await store.get(record.id))?.revokedAt, null);
    assert.equal(await store.get(other.id), undefined);
    // both change behind the cache's back (another replica)
    inner.records.set(record.id, { ...record, revokedAt: '2026-01-01T00:00:00.000Z' });
    inner.records.set(other.id, other);
    assert.equal((await store.get(record.id))?.revokedAt, null, 'still cached');
    await store.revalidate();
    const reads = inner.reads;
    assert.equal((await store.get(record.id))?.revokedAt, '2026-01-01T00:00:00.000Z');
    assert.equal(inner.reads, reads, 'the revoked record came from the cache, refreshed');
    assert.deepEqual(await store.get(other.id), other);
  });

  it('revalidate with the database away keeps every cached key', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 600_000);
    await inner.insert(record);
    await store.get(record.id);
    inner.list = () => Promise.reject(new Error('database unavailable'));
    await assert.rejects(store.revalidate(), /database unavailable/);
    const reads = inner.reads;
    assert.deepEqual(await store.get(record.id), record);
    assert.equal(inner.reads, reads);
  });

  it('a key deleted from the database is dropped by revalidate', async () => {
    const inner = new CountingStore();
    const store = new CachedApiKeyStore(inner, new FakeClock(), 600_000);
    await inner.insert(record);
    await store.get(record.id);
    inner.records.delete(record.id);
    await store.revalidate();
    assert.equal(await store.get(record.id), undefined);
  });
});
