import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.js';
import { generateApiKey, hashApiKey } from './api-key.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { Authenticator } from './authenticator.js';

/** A store that answers with whatever record the test put there, as the cached store does. */
class MapStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  async get(id: string) {
    return this.records.get(id);
  }
  async insert(r: ApiKeyRecord) {
    this.records.set(r.id, r);
  }
  async list() {
    return [...this.records.values()];
  }
  async revoke() {
    return false;
  }
  async countActive() {
    return this.records.size;
  }
}

function keyIn(store: MapStore, scopes: ApiKeyRecord['scopes'] = ['predict']) {
  const g = generateApiKey();
  const record: ApiKeyRecord = {
    id: g.id,
    name: 'svc',
    keyHash: g.hash,
    scopes,
    createdAt: 't',
    createdBy: 's',
    revokedAt: null,
  };
  store.records.set(g.id, record);
  return { key: g.key, record };
}

const refused = (err: unknown) => err instanceof AppError && err.code === 'UNAUTHENTICATED';

describe('Authenticator', () => {
  it('answers a key it verified against the same record with the same frozen principal', async () => {
    const store = new MapStore();
    const { key, record } = keyIn(store);
    const auth = new Authenticator(store);
    const first = await auth.authenticate(`Bearer ${key}`, undefined);
    assert.deepEqual(first, { id: `key:${record.id}`, name: 'svc', scopes: ['predict'] });
    assert.ok(Object.isFrozen(first));
    // the second request is answered from the verified keys: the very object, no new hash
    assert.equal(await auth.authenticate(undefined, key), first);
  });

  it('refuses a wrong secret for a verified id, before and after the right one was remembered', async () => {
    const store = new MapStore();
    const { key } = keyIn(store);
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    const auth = new Authenticator(store);
    await assert.rejects(auth.authenticate(`Bearer ${wrong}`, undefined), refused);
    await auth.authenticate(`Bearer ${key}`, undefined);
    await assert.rejects(auth.authenticate(`Bearer ${wrong}`, undefined), refused);
  });

  it('verifies again when the record changes: revoked, rehashed or rescoped', async () => {
    const store = new MapStore();
    const { key, record } = keyIn(store);
    const auth = new Authenticator(store);
    await auth.authenticate(`Bearer ${key}`, undefined);

    store.records.set(record.id, { ...record, scopes: ['predict', 'read'] });
    assert.deepEqual((await auth.authenticate(`Bearer ${key}`, undefined)).scopes, ['predict', 'read']);

    store.records.set(record.id, { ...record, keyHash: hashApiKey('mg_other_key') });
    await assert.rejects(auth.authenticate(`Bearer ${key}`, undefined), refused);

    store.records.set(record.id, { ...record, revokedAt: 'now' });
    await assert.rejects(auth.authenticate(`Bearer ${key}`, undefined), refused);

    store.records.delete(record.id);
    await assert.rejects(auth.authenticate(`Bearer ${key}`, undefined), refused);
  });

  it('keeps at most 1,000 verified keys, dropping the oldest, and still answers every key', async () => {
    const store = new MapStore();
    const keys = Array.from({ length: 1_001 }, () => keyIn(store));
    const auth = new Authenticator(store);
    const principals = [];
    for (const k of keys) principals.push(await auth.authenticate(`Bearer ${k.key}`, undefined));
    // the first was dropped: verified again, a new object with the same content
    const again = await auth.authenticate(`Bearer ${keys[0]!.key}`, undefined);
    assert.notEqual(again, principals[0]);
    assert.deepEqual(again, principals[0]);
    // the last is still remembered
    assert.equal(await auth.authenticate(`Bearer ${keys[1_000]!.key}`, undefined), principals[1_000]);
  });
});
