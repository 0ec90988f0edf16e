/** Time, injected so tests never wait on the wall clock. */
export interface Clock {
  now(): Date;
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * `format` of the current millisecond of `nowMs`, computed again only when the millisecond
 * changes: under load many log lines and predictions share one, and a Date and its toISOString
 * for each were measurable on the predict path.
 */
export function oncePerMs<T>(nowMs: () => number, format: (ms: number) => T): () => T {
  let lastMs = Number.NaN;
  let last: T;
  return () => {
    const ms = nowMs();
    if (ms !== lastMs) {
      last = format(ms);
      lastMs = ms;
    }
    return last;
  };
}

/** A clock that moves only when told to; `sleep` resolves once `advance` passes its deadline. */
export class FakeClock implements Clock {
  #now: number;
  #sleepers: Array<{ until: number; resolve: () => void }> = [];

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  nowMs(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#sleepers.push({ until: this.#now + ms, resolve }));
  }

  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const s of due) s.resolve();
  }
}
