import type { Hit, OthersCount } from './messages.js';

interface Window {
  total: number;
  /** hits by worker slot */
  by: Map<number, number>;
  resetAtMs: number;
}

/**
 * The primary's window counters for its workers (see SyncedWindowCounter): fixed windows that
 * open at a key's first hit, with each worker's share, so that each worker can be told the hits
 * of the *others*. Bounded: at `maxKeys` windows the oldest-opened is dropped.
 */
export class SharedWindows {
  readonly #windows = new Map<string, Window>();
  readonly #dirty = new Set<string>();

  constructor(
    private readonly nowMs: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  get size(): number {
    return this.#windows.size;
  }

  /** Counts a worker's hits; their keys are now dirty (to be sent to every worker). */
  hit(slot: number, hits: readonly Hit[]): void {
    const now = this.nowMs();
    for (const h of hits) {
      let w = this.#windows.get(h.key);
      if (w === undefined || w.resetAtMs <= now) {
        w = { total: 0, by: new Map(), resetAtMs: now + h.windowMs };
        this.#windows.delete(h.key);
        if (this.#windows.size >= this.maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
        this.#windows.set(h.key, w);
      }
      w.total += h.n;
      w.by.set(slot, (w.by.get(slot) ?? 0) + h.n);
      this.#dirty.add(h.key);
    }
  }

  /** The keys that changed since the last call. */
  takeDirty(): string[] {
    const keys = [...this.#dirty];
    this.#dirty.clear();
    return keys;
  }

  /** Every open window's key (a worker that starts learns them all). */
  openKeys(): string[] {
    const now = this.nowMs();
    return [...this.#windows].filter(([, w]) => w.resetAtMs > now).map(([k]) => k);
  }

  /** What worker `slot` needs of `keys`: the others' hits and each window's remaining time. */
  countsFor(slot: number, keys: readonly string[]): OthersCount[] {
    const now = this.nowMs();
    const counts: OthersCount[] = [];
    for (const key of keys) {
      const w = this.#windows.get(key);
      if (w === undefined || w.resetAtMs <= now) continue;
      counts.push({ key, others: w.total - (w.by.get(slot) ?? 0), ttlMs: w.resetAtMs - now });
    }
    return counts;
  }
}
