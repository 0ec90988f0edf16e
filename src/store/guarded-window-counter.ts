import type { Logger } from '../shared/logger.js';
import { AppError } from '../shared/errors.js';
import type { WindowCount, WindowCounter } from './window-counter.js';

export interface GuardedCounterOptions {
  /** Longest a request waits for the counter; past it the call fails (and the request goes on). */
  timeoutMs: number;
  logger: Logger;
  /** Every failed call (refused, timed out, or skipped while the connection is down). */
  onError?: () => void;
  /** Whether the connection is up right now (ioredis: status 'ready'), for the gauge. */
  connected?: () => boolean;
  /** One warning per this interval at most while failures go on; the count says how many. */
  logIntervalMs?: number;
  /**
   * After a call that timed out, calls fail at once for this long (then one tries again): a
   * request that needs two counters waits one timeout at most, not two, while Redis hangs.
   */
  backoffMs?: number;
  nowMs?: () => number;
}

/**
 * A shared counter (Redis) made safe for a request path: every call is bounded by `timeoutMs`
 * whatever the client does (queued commands, a frozen server), a failure becomes
 * RATE_LIMIT_UNAVAILABLE (the caller decides whether to let the request through), and failures
 * are counted and logged at most once per interval, so an outage under load costs one log line
 * every few seconds, not one per request.
 */
export class GuardedWindowCounter implements WindowCounter {
  #lastOk = true;
  #suppressed = 0;
  #lastLogMs = -Infinity;
  #timedOutAtMs = -Infinity;
  readonly #now: () => number;
  readonly #logEvery: number;

  constructor(
    private readonly inner: WindowCounter,
    private readonly options: GuardedCounterOptions,
  ) {
    this.#now = options.nowMs ?? Date.now;
    this.#logEvery = options.logIntervalMs ?? 10_000;
  }

  /** Whether the last call succeeded and the connection is up (the `modelgate_redis_up` gauge). */
  get up(): boolean {
    return this.#lastOk && (this.options.connected?.() ?? true);
  }

  increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.#guard(() => this.inner.increment(key, windowMs));
  }

  peek(key: string): Promise<WindowCount | undefined> {
    return this.#guard(() => this.inner.peek(key));
  }

  /** An error outside a call (the client's 'error' event while it reconnects): logged, bounded. */
  noteError(err: unknown): void {
    this.#lastOk = false;
    this.#log(err);
  }

  /** The connection is (re)established: up again, without waiting for a request to prove it. */
  noteConnected(): void {
    this.#recovered();
  }

  #recovered(): void {
    if (this.#lastOk) return;
    this.#lastOk = true;
    this.options.logger.info({ failures: this.#suppressed }, 'rate-limit store (Redis) answers again');
    this.#suppressed = 0;
    this.#lastLogMs = -Infinity;
  }

  async #guard<T>(call: () => Promise<T>): Promise<T> {
    // no round trip that cannot succeed: disconnected, or timed out a moment ago
    if (this.options.connected?.() === false) throw this.#unavailable(new Error('not connected'));
    if (this.#now() - this.#timedOutAtMs < (this.options.backoffMs ?? 1000)) {
      throw this.#unavailable(new Error('timed out a moment ago'));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.#timedOutAtMs = this.#now();
        reject(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
    });
    try {
      const result = await Promise.race([call(), timeout]);
      this.#recovered();
      return result;
    } catch (err) {
      // ioredis's own commandTimeout may fire first, with its own message
      if (err instanceof Error && /timed out/i.test(err.message)) this.#timedOutAtMs = this.#now();
      throw this.#unavailable(err);
    } finally {
      clearTimeout(timer);
    }
  }

  #unavailable(err: unknown): AppError {
    this.#lastOk = false;
    this.options.onError?.();
    this.#log(err);
    return new AppError(
      'RATE_LIMIT_UNAVAILABLE',
      'rate limits cannot be checked right now (their store does not answer); retry shortly',
      { headers: { 'retry-after': '1' } },
      { cause: err },
    );
  }

  #log(err: unknown): void {
    this.#suppressed++;
    const now = this.#now();
    if (now - this.#lastLogMs < this.#logEvery) return;
    this.#lastLogMs = now;
    this.options.logger.warn(
      { err: { message: err instanceof Error ? err.message : String(err) }, failures: this.#suppressed },
      'rate-limit store (Redis) unavailable',
    );
    this.#suppressed = 0;
  }
}
