import type { Clock } from '../../shared/clock.js';
import type { AuditInput } from '../audit/audit.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

const MAX_ENTRIES = 10_000;

/**
 * Keeps found keys in memory for `ttlMs`, so authenticating a request costs no database round
 * trip. A revoke through this store takes effect at once in this process; one made elsewhere
 * (another replica, `keys revoke --local`) is recorded in the change log, which the process
 * follows and answers with `revalidate` (within about a second, ADR 0010); `ttlMs` bounds it too.
 *
 * Unknown ids are remembered for `negativeTtlMs`, so a client repeating a bad key costs no database
 * read either. That must never keep a new key out for long: the time is short (seconds), a key
 * inserted through this store is forgotten as unknown at once, and a lookup that raced with the
 * insert does not write its stale miss back. Each cache holds at most MAX_ENTRIES and drops its
 * oldest entry when full, so guessing ids cannot fill the memory.
 */
export class CachedApiKeyStore implements ApiKeyStore {
  readonly #cache = new Map<string, { record: ApiKeyRecord; until: number }>();
  readonly #unknown = new Map<string, number>();
  /** Bumped by every insert: a miss read before it is not remembered after it. */
  #inserts = 0;
  /** Bumped by every revalidation: a record read before it is not remembered after it. */
  #generation = 0;

  /** `ttlMs`: how long a found key is kept; `negativeTtlMs`: an unknown id (0: never). */
  constructor(
    private readonly inner: ApiKeyStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly negativeTtlMs = 0,
  ) {}

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const now = this.clock.nowMs();
    const hit = this.#cache.get(id);
    if (hit && hit.until > now) return hit.record;
    this.#cache.delete(id);
    const unknownUntil = this.#unknown.get(id);
    if (unknownUntil !== undefined) {
      if (unknownUntil > now) return undefined;
      this.#unknown.delete(id);
    }
    const inserts = this.#inserts;
    const generation = this.#generation;
    const record = await this.inner.get(id);
    if (record && this.ttlMs > 0 && generation === this.#generation) {
      bounded(this.#cache).set(id, { record, until: this.clock.nowMs() + this.ttlMs });
    } else if (!record && this.negativeTtlMs > 0 && inserts === this.#inserts) {
      bounded(this.#unknown).set(id, this.clock.nowMs() + this.negativeTtlMs);
    }
    return record;
  }

  async revoke(id: string, audit: AuditInput): Promise<boolean> {
    this.#cache.delete(id);
    const revoked = await this.inner.revoke(id, audit);
    this.#cache.delete(id);
    return revoked;
  }

  /** Drops one key (or all) so the next request reads the database. */
  forget(id?: string): void {
    if (id === undefined) {
      this.#cache.clear();
      this.#unknown.clear();
    } else {
      this.#cache.delete(id);
      this.#unknown.delete(id);
    }
  }

  /**
   * Keys changed elsewhere (another replica created or revoked one): re-reads every key in one
   * query and updates the cached records (a revoked one is refused from now on) and forgets the
   * unknown ids (one may exist now). Unlike `forget`, a database that cannot be read changes
   * nothing: while it is away, cached keys keep authenticating (ADR 0009).
   */
  async revalidate(): Promise<void> {
    this.#generation++;
    const all = new Map((await this.inner.list()).map((r) => [r.id, r]));
    this.#generation++;
    this.#unknown.clear();
    for (const [id, entry] of this.#cache) {
      const fresh = all.get(id);
      if (fresh) entry.record = fresh;
      else this.#cache.delete(id);
    }
  }

  async insert(record: ApiKeyRecord, audit: AuditInput): Promise<void> {
    this.#inserts++;
    this.#unknown.delete(record.id);
    try {
      await this.inner.insert(record, audit);
    } finally {
      this.#inserts++;
      this.#unknown.delete(record.id);
    }
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.inner.list();
  }

  countActive(): Promise<number> {
    return this.inner.countActive();
  }
}

/** The map, with its oldest entry dropped when it is full. */
function bounded<V>(map: Map<string, V>): Map<string, V> {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
  return map;
}
