import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Change, ChangeKind } from './change-log.js';

/** The change log as the follower reads it (SqlChangeLog; a fake in unit tests). */
export interface ChangeSource {
  maxSeq(): Promise<number>;
  since(seq: number, limit: number): Promise<Change[]>;
}

/** Wakes the follower when a change commits (PostgreSQL LISTEN); polling covers its absence. */
export interface ChangeSignal {
  start(onChange: () => void): void;
  /** whether notifications can currently arrive */
  readonly connected: boolean;
  close(): Promise<void>;
}

export type ChangeHandler = (change: Change) => Promise<void>;

export interface ChangeFollowerOptions {
  source: ChangeSource;
  signal?: ChangeSignal | undefined;
  clock: Clock;
  logger: Logger;
  /** how often the log is read without a notification */
  pollMs: number;
  /** how often every reconciler runs (repairs a missed change) */
  reconcileMs: number;
  /** a change was applied on this replica, `seconds` after it was recorded */
  onApplied?: (change: Change, seconds: number) => void;
}

const BATCH = 500;

/**
 * Follows the change log (ADR 0010): reads `seq > last` in order, on a timer and at once when the
 * signal fires, and hands each change to the subscribers of its kind. Changes of one kind and
 * model in one batch collapse into the last one: subscribers re-read the truth (aliases, keys)
 * rather than apply a delta, so only "something changed" matters. A subscriber that fails is
 * logged, and the periodic reconcile repairs what it left undone.
 */
export class ChangeFollower {
  readonly #handlers = new Map<ChangeKind, ChangeHandler[]>();
  readonly #reconcilers: Array<() => Promise<void>> = [];
  #last = 0;
  #polling: Promise<void> | undefined;
  #again = false;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #failing = false;

  constructor(private readonly options: ChangeFollowerOptions) {}

  get last(): number {
    return this.#last;
  }

  get connected(): boolean {
    return this.options.signal?.connected ?? false;
  }

  on(kind: ChangeKind, handler: ChangeHandler): this {
    this.#handlers.set(kind, [...(this.#handlers.get(kind) ?? []), handler]);
    return this;
  }

  /** Runs at every reconcile: re-reads the truth and repairs this replica's view of it. */
  onReconcile(reconciler: () => Promise<void>): this {
    this.#reconcilers.push(reconciler);
    return this;
  }

  /**
   * Starts after the newest change recorded so far. Call it before this replica reads its initial
   * state (aliases, keys), so a change committed in between is replayed rather than lost.
   */
  async begin(): Promise<void> {
    this.#last = await this.options.source.maxSeq();
  }

  /** Timers and the signal; `begin` must have run. */
  start(): void {
    this.options.signal?.start(() => void this.poll());
    this.#timers.push(
      setInterval(() => void this.poll(), this.options.pollMs).unref(),
      setInterval(() => void this.reconcile(), this.options.reconcileMs).unref(),
    );
  }

  /**
   * Reads and dispatches every change after the last one seen. One read at a time: a call while
   * one runs makes it read again when done, so a notification is never lost in between.
   */
  poll(): Promise<void> {
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = (async () => {
      try {
        do {
          this.#again = false;
          await this.#drain();
        } while (this.#again && !this.#closed);
        this.#failing = false;
      } catch (err) {
        // once per outage: the database being away is logged and measured elsewhere
        if (!this.#failing) this.options.logger.warn({ err }, 'reading the change log failed; retrying');
        this.#failing = true;
      } finally {
        this.#polling = undefined;
      }
    })();
    return this.#polling;
  }

  /** Every reconciler, one after the other; a failure is logged and the next still runs. */
  async reconcile(): Promise<void> {
    for (const reconciler of this.#reconcilers) {
      if (this.#closed) return;
      try {
        await reconciler();
      } catch (err) {
        this.options.logger.warn({ err }, 'reconcile failed; retried at the next interval');
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.options.signal?.close();
    await this.#polling;
  }

  async #drain(): Promise<void> {
    for (;;) {
      const batch = await this.options.source.since(this.#last, BATCH);
      if (batch.length === 0 || this.#closed) return;
      for (const change of collapse(batch)) await this.#dispatch(change);
      this.#last = batch[batch.length - 1]!.seq;
      if (batch.length < BATCH) return;
    }
  }

  async #dispatch(change: Change): Promise<void> {
    const handlers = this.#handlers.get(change.kind) ?? [];
    for (const handler of handlers) {
      try {
        await handler(change);
      } catch (err) {
        this.options.logger.warn({ err, change }, 'applying a change failed; the reconcile repairs it');
      }
    }
    if (handlers.length === 0) return;
    const seconds = Math.max(0, (this.options.clock.nowMs() - Date.parse(change.at)) / 1000);
    this.options.onApplied?.(change, seconds);
  }
}

/** The last change of each (kind, model), in the order of those last changes. */
export function collapse(batch: readonly Change[]): Change[] {
  const last = new Map<string, Change>();
  for (const c of batch) {
    const key = `${c.kind}\u0000${c.model ?? ''}`;
    last.delete(key);
    last.set(key, c);
  }
  return [...last.values()];
}
