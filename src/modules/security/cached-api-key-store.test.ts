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
});
