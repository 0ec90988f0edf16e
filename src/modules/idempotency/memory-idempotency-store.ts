import type { ClaimResult, IdempotencyId, IdempotencyStore, StoredResponse } from './idempotency-store.js';

interface Entry {
  fingerprint: string;
  response: StoredResponse | undefined;
  lockedUntil: number;
  expiresAt: number;
}

/**
 * Embedded mode: records in this process's memory (lost on restart, which the published policy
 * says). Expired records are swept as new ones arrive; at `maxEntries` the oldest is dropped.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  #sweepAt = 0;

  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.#entries.size;
  }

  async claim(id: IdempotencyId, fingerprint: string, nowMs: number, lockMs: number): Promise<ClaimResult> {
    const k = keyOf(id);
    const e = this.#entries.get(k);
    if (e && live(e, nowMs)) {
      if (!e.response) return { kind: 'running' };
      if (e.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return { kind: 'replay', response: e.response };
    }
    this.#sweep(nowMs);
    this.#entries.delete(k);
    this.#entries.set(k, {
      fingerprint,
      response: undefined,
      lockedUntil: nowMs + lockMs,
      expiresAt: nowMs + lockMs,
    });
    return { kind: 'claimed' };
  }

  async complete(id: IdempotencyId, response: StoredResponse, expiresAtMs: number): Promise<void> {
    const e = this.#entries.get(keyOf(id));
    if (!e) return;
    e.response = response;
    e.expiresAt = expiresAtMs;
  }

  async release(id: IdempotencyId): Promise<void> {
    this.#entries.delete(keyOf(id));
  }

  #sweep(nowMs: number): void {
    if (nowMs >= this.#sweepAt) {
      for (const [k, e] of this.#entries) if (!live(e, nowMs)) this.#entries.delete(k);
      this.#sweepAt = nowMs + 60_000;
    }
    while (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

function live(e: Entry, nowMs: number): boolean {
  return e.response ? e.expiresAt > nowMs : e.lockedUntil > nowMs;
}

function keyOf(id: IdempotencyId): string {
  return JSON.stringify([id.principal, id.method, id.route, id.key]);
}
