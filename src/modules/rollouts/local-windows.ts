import { emptyTally, recordRequest, serialiseTally, type ArmTally, type Outcome } from './arm-tally.js';
import type { PublishedWindow } from './rollout-store.js';
import type { RouteDecision, Variant } from './types.js';

export interface WindowPair {
  stable: ArmTally;
  candidate: ArmTally;
}

/**
 * What this replica observed per rollout step window (request path: O(log k) per request). The
 * cluster publisher writes them to the store; the leader merges every replica's.
 */
export class LocalWindows {
  readonly #windows = new Map<string, WindowPair & { rolloutId: string }>();

  constructor(private readonly random: () => number = Math.random) {}

  #pair(key: string, rolloutId: string): WindowPair {
    let w = this.#windows.get(key);
    if (!w) {
      w = { rolloutId, stable: emptyTally(), candidate: emptyTally() };
      this.#windows.set(key, w);
    }
    return w;
  }

  record(d: Pick<RouteDecision, 'rolloutId' | 'window'>, variant: Variant, o: Outcome): void {
    recordRequest(this.#pair(d.window, d.rolloutId)[variant], o, this.random);
  }

  recordShadow(
    d: Pick<RouteDecision, 'rolloutId' | 'window'>,
    o: Outcome & { agreed: number; compared: number },
  ): void {
    const c = this.#pair(d.window, d.rolloutId).candidate;
    c.shadowCompared += o.compared;
    c.shadowAgreed += o.agreed;
    recordRequest(c, o, this.random);
  }

  recordFeedback(window: string, rolloutId: string, variant: Variant, correct: boolean): void {
    const arm = this.#pair(window, rolloutId)[variant];
    arm.labelled++;
    if (correct) arm.correct++;
  }

  get(window: string): WindowPair | undefined {
    return this.#windows.get(window);
  }

  /** Forgets windows that are no longer any active rollout's current step. */
  retain(current: ReadonlySet<string>): void {
    for (const key of this.#windows.keys()) if (!current.has(key)) this.#windows.delete(key);
  }

  /** Every window, serialised for the store. */
  published(): PublishedWindow[] {
    return [...this.#windows].map(([windowKey, w]) => ({
      windowKey,
      rolloutId: w.rolloutId,
      stable: serialiseTally(w.stable),
      candidate: serialiseTally(w.candidate),
    }));
  }
}
