/** One key's count in its current fixed window. */
export interface WindowCount {
  count: number;
  /** Milliseconds until the window closes and the count starts again from zero. */
  ttlMs: number;
}

/**
 * Counters in fixed windows that open at a key's first hit: what rate limits and the
 * failed-authentication throttle count with. In memory for tests, in Redis in cluster mode so
 * that every replica counts into the same window.
 */
export interface WindowCounter {
  /** Counts one hit for `key`; opens a window of `windowMs` when none is open. */
  increment(key: string, windowMs: number): Promise<WindowCount>;
  /** The open window of `key` without counting, or undefined when it has none. */
  peek(key: string): Promise<WindowCount | undefined>;
}

/** The in-memory counter (unit tests; the same contract as the Redis one). */
export class MemoryWindowCounter implements WindowCounter {
  readonly #windows = new Map<string, { count: number; resetAtMs: number }>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.nowMs();
    let w = this.#windows.get(key);
    if (w === undefined || w.resetAtMs <= now) {
      w = { count: 0, resetAtMs: now + windowMs };
      this.#windows.set(key, w);
    }
    w.count++;
    return { count: w.count, ttlMs: w.resetAtMs - now };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const now = this.nowMs();
    const w = this.#windows.get(key);
    if (w === undefined || w.resetAtMs <= now) return undefined;
    return { count: w.count, ttlMs: w.resetAtMs - now };
  }
}
