import CircuitBreaker from 'opossum';
import { AppError, isAppError } from '../../shared/errors.js';
import type { LoadedModel } from './loaded-model.js';

/** The breaker's action: run the work it is given (native predict or V2 tensors alike). */
type Work = () => Promise<unknown>;

export interface BreakerOptions {
  /** share of failed calls (in the rolling window) that opens the breaker */
  errorThresholdPercentage: number;
  /** calls in the window before the breaker may open */
  volumeThreshold: number;
  /** how long an open breaker refuses before letting one call through (half-open) */
  resetTimeoutMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = {
  errorThresholdPercentage: 50,
  volumeThreshold: 20,
  resetTimeoutMs: 10_000,
};

/**
 * One opossum circuit breaker per loaded version, around inference. Only server-side failures
 * count (inference errors and timeouts), never a client's bad input. An open breaker answers at
 * once with CIRCUIT_OPEN (503 + Retry-After) instead of running a version that keeps failing; in
 * a rollout, the candidate's open breaker sends its requests to stable.
 */
export class VersionBreakers {
  readonly #breakers = new Map<string, CircuitBreaker<[Work], unknown>>();

  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  /** Runs `work` (inference on `model`) through the version's breaker. */
  run<T>(model: LoadedModel, work: () => Promise<T>): Promise<T> {
    return (this.#breaker(model.key).fire(work) as Promise<T>).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'EOPENBREAKER') {
        throw new AppError('CIRCUIT_OPEN', `${model.key} failed repeatedly and is paused; retry later`, {
          headers: { 'retry-after': String(Math.ceil(this.options.resetTimeoutMs / 1000)) },
        });
      }
      throw err;
    });
  }

  /** State of a version's breaker, for tests and status views. */
  state(key: string): 'closed' | 'open' | 'half-open' {
    const b = this.#breakers.get(key);
    return !b ? 'closed' : b.opened ? 'open' : b.halfOpen ? 'half-open' : 'closed';
  }

  #breaker(key: string) {
    let b = this.#breakers.get(key);
    if (!b) {
      b = new CircuitBreaker<[Work], unknown>((work) => work(), {
        timeout: false, // inference time is bounded by the inference timeout itself (ADR 0005)
        errorThresholdPercentage: this.options.errorThresholdPercentage,
        volumeThreshold: this.options.volumeThreshold,
        resetTimeout: this.options.resetTimeoutMs,
        rollingCountTimeout: 10_000,
        // opossum keeps every call's latency for percentiles nobody reads here: off (a push per call
        // and a sort per window)
        rollingPercentilesEnabled: false,
        // client-side problems are not the version's fault
        errorFilter: (err: unknown) => isAppError(err) && err.status < 500,
      });
      this.#breakers.set(key, b);
    }
    return b;
  }
}
