import type { ClaimResult, IdempotencyId, IdempotencyStore, StoredResponse } from './idempotency-store.js';

interface Entry {
  fingerprint: string;
  response: StoredResponse | undefined;
  lockedUntil: number;
  expiresAt: number;
  bytes: number;
}

export interface MemoryIdempotencyLimits {
  maxEntries: number;
  /** approximate bytes of keys, fingerprints and stored responses together */
  maxBytes: number;
}

/** Map slot, entry object and string headers, beyond the characters of its strings. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Embedded mode: records in this process's memory (lost on restart, which the published policy
 * says). Expired records are swept as new ones arrive. Bounded in count and in bytes (a stored
 * predict response can be hundreds of kilobytes): past either, the oldest records are forgotten
 * (counted), so a retry of such an old request runs again instead of being replayed.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>();
  readonly #limits: MemoryIdempotencyLimits;
  #sweepAt = 0;
  #bytes = 0;

  constructor(
    limits: Partial<MemoryIdempotencyLimits> = {},
    private readonly onDropped: (records: number) => void = () => undefined,
  ) {
    this.#limits = { maxEntries: 100_000, maxBytes: 32 * 1024 * 1024, ...limits };
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
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
    this.#delete(k);
    this.#set(k, {
      fingerprint,
      response: undefined,
      lockedUntil: nowMs + lockMs,
      expiresAt: nowMs + lockMs,
      bytes: ENTRY_OVERHEAD_BYTES + k.length + fingerprint.length,
    });
    this.#evict(k);
    return { kind: 'claimed' };
  }

  async complete(id: IdempotencyId, response: StoredResponse, expiresAtMs: number): Promise<void> {
    const k = keyOf(id);
    const e = this.#entries.get(k);
    if (!e) return;
    e.response = response;
    e.expiresAt = expiresAtMs;
    this.#resize(e, ENTRY_OVERHEAD_BYTES + k.length + e.fingerprint.length + responseBytes(response));
    this.#evict(k);
  }

  async release(id: IdempotencyId): Promise<void> {
    this.#delete(keyOf(id));
  }

  #sweep(nowMs: number): void {
    if (nowMs < this.#sweepAt) return;
    for (const [k, e] of this.#entries) if (!live(e, nowMs)) this.#delete(k);
    this.#sweepAt = nowMs + 60_000;
  }

  /**
   * Forgets the oldest records while over a limit. The record just written goes last (it may be
   * alone over the byte limit): a running claim is kept even then, so two requests with the same
   * key never run at once; a completed one is simply not remembered.
   */
  #evict(newest: string): void {
    const over = () => this.#entries.size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes;
    let dropped = 0;
    for (const k of this.#entries.keys()) {
      if (!over()) break;
      if (k === newest) continue;
      this.#delete(k);
      dropped++;
    }
    const last = this.#entries.get(newest);
    if (over() && last?.response) {
      this.#delete(newest);
      dropped++;
    }
    if (dropped > 0) this.onDropped(dropped);
  }

  #set(k: string, e: Entry): void {
    this.#entries.set(k, e);
    this.#bytes += e.bytes;
  }

  #resize(e: Entry, bytes: number): void {
    this.#bytes += bytes - e.bytes;
    e.bytes = bytes;
  }

  #delete(k: string): void {
    const e = this.#entries.get(k);
    if (!e) return;
    this.#entries.delete(k);
    this.#bytes -= e.bytes;
  }
}

function responseBytes(r: StoredResponse): number {
  let n = r.body.length + r.contentType.length;
  for (const [name, value] of Object.entries(r.headers)) n += name.length + value.length;
  return n;
}

function live(e: Entry, nowMs: number): boolean {
  return e.response ? e.expiresAt > nowMs : e.lockedUntil > nowMs;
}

function keyOf(id: IdempotencyId): string {
  return JSON.stringify([id.principal, id.method, id.route, id.key]);
}
