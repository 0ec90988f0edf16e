import { connectivityReason } from './database-errors.js';

/** What readiness needs to know about the database (a port: the HTTP layer reads only this). */
export interface DatabaseStatus {
  /** Why the database is known to be unreachable right now, or undefined while it answers. */
  unavailable(): string | undefined;
}

export interface DatabaseHealthHooks {
  /** The first failure after a success (or at start): the database became unreachable. */
  onDown?(reason: string, err: unknown): void;
  /** The first success after failures. */
  onUp?(downForMs: number): void;
}

/**
 * Whether the database answers, learned from every query's outcome (and a periodic probe): a
 * connectivity failure marks it down, any success marks it up again. Refused queries (constraint,
 * syntax) say nothing about connectivity and are not reported here.
 */
export class DatabaseHealth implements DatabaseStatus {
  #down: { sinceMs: number; reason: string } | undefined;
  #lastOkMs = -Infinity;

  constructor(
    private readonly hooks: DatabaseHealthHooks = {},
    private readonly nowMs: () => number = Date.now,
  ) {}

  ok(): void {
    this.#lastOkMs = this.nowMs();
    if (!this.#down) return;
    const downFor = this.#lastOkMs - this.#down.sinceMs;
    this.#down = undefined;
    this.hooks.onUp?.(downFor);
  }

  failed(err: unknown): void {
    const reason = connectivityReason(err);
    if (this.#down) {
      this.#down.reason = reason;
      return;
    }
    this.#down = { sinceMs: this.nowMs(), reason };
    this.hooks.onDown?.(reason, err);
  }

  get up(): boolean {
    return this.#down === undefined;
  }

  /** When a query last succeeded (ms), -Infinity before the first. */
  get lastOkMs(): number {
    return this.#lastOkMs;
  }

  unavailable(): string | undefined {
    if (!this.#down) return undefined;
    return `database unavailable since ${new Date(this.#down.sinceMs).toISOString()} (${this.#down.reason})`;
  }
}

/** Embedded SQLite is a file in this process: it is never "unreachable". */
export const ALWAYS_AVAILABLE: DatabaseStatus = { unavailable: () => undefined };
