import type { WindowCount, WindowCounter } from '../store/window-counter.js';
import type { Hit, OthersCount } from './messages.js';

interface LocalWindow {
  /** the other workers' hits, as of the primary's last update */
  others: number;
  /** this worker's hits in the window (sent or not) */
  own: number;
  /** this worker's hits not yet sent to the primary */
  pending: number;
  windowMs: number;
  resetAtMs: number;
}

export interface SyncedCounterOptions {
  /** sends this worker's new hits to the primary */
  send: (hits: Hit[]) => void;
  /** how often new hits are sent (and so, about how stale the others' counts may be) */
  syncMs?: number;
  /** windows held at most; the oldest-opened goes first */
  maxKeys?: number;
  nowMs?: () => number;
}

/**
 * A worker's view of the window counters every worker of `serve --workers N` shares (rate limits,
 * failed-authentication throttle; docs/adr/0015). A hit is counted here at once, without a round
 * trip: the count answered is the other workers' hits as of the primary's last update plus this
 * worker's own. New hits go to the primary every `syncMs`, which sends every worker the others'
 * totals of the windows that changed. So a budget holds across the workers up to the hits the
 * others took in the last sync or two (~20 ms), never N times over: a round trip per request
 * through the primary cost two thirds of the throughput on a loaded 2-core machine.
 */
export class SyncedWindowCounter implements WindowCounter {
  readonly #windows = new Map<string, LocalWindow>();
  #timer: NodeJS.Timeout | undefined;
  readonly #now: () => number;

  constructor(private readonly options: SyncedCounterOptions) {
    this.#now = options.nowMs ?? Date.now;
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.#now();
    let w = this.#open(key, now);
    if (w === undefined) {
      w = { others: 0, own: 0, pending: 0, windowMs, resetAtMs: now + windowMs };
      this.#insert(key, w);
    }
    w.own++;
    w.pending++;
    this.#timer ??= setTimeout(() => this.flush(), this.options.syncMs ?? 10).unref();
    return { count: w.others + w.own, ttlMs: w.resetAtMs - now };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const now = this.#now();
    const w = this.#open(key, now);
    return w === undefined ? undefined : { count: w.others + w.own, ttlMs: w.resetAtMs - now };
  }

  /** The primary's update: the other workers' totals of windows that changed. */
  apply(counts: OthersCount[]): void {
    const now = this.#now();
    for (const c of counts) {
      let w = this.#open(c.key, now);
      if (w === undefined) {
        w = { others: 0, own: 0, pending: 0, windowMs: c.ttlMs, resetAtMs: now + c.ttlMs };
        this.#insert(c.key, w);
      }
      w.others = c.others;
      // the primary's window is the one that counts; its end moves ours
      w.resetAtMs = now + c.ttlMs;
    }
  }

  /** Sends the hits not sent yet (on the timer; on close). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const hits: Hit[] = [];
    for (const [key, w] of this.#windows) {
      if (w.pending === 0) continue;
      hits.push({ key, n: w.pending, windowMs: w.windowMs });
      w.pending = 0;
    }
    if (hits.length > 0) this.options.send(hits);
  }

  #open(key: string, now: number): LocalWindow | undefined {
    const w = this.#windows.get(key);
    if (w === undefined || w.resetAtMs > now) return w;
    this.#windows.delete(key);
    return undefined;
  }

  #insert(key: string, w: LocalWindow): void {
    if (this.#windows.size >= (this.options.maxKeys ?? 100_000))
      this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(key, w);
  }
}
