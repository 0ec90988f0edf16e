/** The failed authentications of one client address in its current window. */
export interface FailureWindow {
  count: number;
  /** When the window closes and the count starts again from zero (epoch ms). */
  resetAtMs: number;
}

/**
 * Counts failed authentications per client address in fixed windows that open at an address's
 * first failure. In memory today; cluster mode will back it with Redis (INCR and PEXPIRE NX on
 * one key per address), so that replicas share the count: hence the async interface.
 */
export interface FailedAuthStore {
  /** Counts one failure for `key`; opens a window of `windowMs` when none is open. */
  record(key: string, windowMs: number, nowMs: number): Promise<FailureWindow>;
  /** The open window of `key`, or undefined when it has none. */
  get(key: string, nowMs: number): Promise<FailureWindow | undefined>;
  /**
   * False when no address has a window open at `nowMs`, answered without a promise (the check of
   * every authenticated request then ends there); absent where only the store can tell (Redis).
   */
  anyOpen?(nowMs: number): boolean;
}

/**
 * The in-process store, bounded: at `maxKeys` open windows the oldest is dropped, so an attacker
 * rotating addresses costs memory up to the bound, never beyond. A dropped address starts again
 * from zero, which at worst lets it fail another full budget.
 */
export class MemoryFailedAuthStore implements FailedAuthStore {
  readonly #windows = new Map<string, FailureWindow>();
  /** the latest end of any window opened: past it, every window has closed */
  #lastResetAtMs = 0;

  constructor(private readonly maxKeys = 100_000) {}

  anyOpen(nowMs: number): boolean {
    if (this.#windows.size === 0) return false;
    if (nowMs < this.#lastResetAtMs) return true;
    this.#windows.clear(); // all closed: none would count again
    return false;
  }

  async record(key: string, windowMs: number, nowMs: number): Promise<FailureWindow> {
    const open = this.#open(key, nowMs);
    if (open) {
      open.count++;
      return { ...open };
    }
    if (this.#windows.size >= this.maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
    const created = { count: 1, resetAtMs: nowMs + windowMs };
    this.#windows.set(key, created);
    this.#lastResetAtMs = Math.max(this.#lastResetAtMs, created.resetAtMs);
    return { ...created };
  }

  async get(key: string, nowMs: number): Promise<FailureWindow | undefined> {
    const open = this.#open(key, nowMs);
    return open ? { ...open } : undefined;
  }

  /** Open windows held (expired ones are dropped when next touched). */
  get size(): number {
    return this.#windows.size;
  }

  #open(key: string, nowMs: number): FailureWindow | undefined {
    const w = this.#windows.get(key);
    if (w === undefined) return undefined;
    if (w.resetAtMs > nowMs) return w;
    this.#windows.delete(key);
    return undefined;
  }
}
