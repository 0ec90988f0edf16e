import type { Clock } from '../../shared/clock.js';
import type { AuditInput } from '../audit/audit.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';

const MAX_ENTRIES = 10_000;

/**
 * Keeps found keys in memory for `ttlMs`, so authenticating a request costs no database round
 * trip. A revoke through this store takes effect at once in this process; a revoke made elsewhere
 * (`keys revoke --local`, another replica) within `ttlMs`. Unknown ids are never cached, so
 * guessing ids cannot fill the memory; a full cache drops its oldest entry.
 */
export class CachedApiKeyStore implements ApiKeyStore {
  readonly #cache = new Map<string, { record: ApiKeyRecord; until: number }>();

  constructor(
    private readonly inner: ApiKeyStore,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const hit = this.#cache.get(id);
    if (hit && hit.until > this.clock.nowMs()) return hit.record;
    this.#cache.delete(id);
    const record = await this.inner.get(id);
    if (record && this.ttlMs > 0) {
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(id, { record, until: this.clock.nowMs() + this.ttlMs });
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
    if (id === undefined) this.#cache.clear();
    else this.#cache.delete(id);
  }

  insert(record: ApiKeyRecord, audit: AuditInput): Promise<void> {
    return this.inner.insert(record, audit);
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.inner.list();
  }

  countActive(): Promise<number> {
    return this.inner.countActive();
  }
}
