import type { ChangeSignal } from './change-follower.js';

/**
 * The SQLite counterpart of PostgreSQL's LISTEN for the workers of `serve --workers N`
 * (docs/adr/0015): every `checkMs` it reads `PRAGMA data_version`, which changes when another
 * connection (another worker, `keys --local`) commits, and wakes the change follower when it
 * did. The pragma reads a counter in the shared-memory WAL index: about a microsecond, no table
 * read, so it can run far more often than the change log query it saves. Commits that write no
 * change (prediction log, windows) wake it too; the follower then reads an empty batch.
 */
export class SqliteChangeSignal implements ChangeSignal {
  #timer: NodeJS.Timeout | undefined;
  #last: number | undefined;

  constructor(
    private readonly dataVersion: () => number,
    private readonly checkMs = 25,
  ) {}

  get connected(): boolean {
    return this.#timer !== undefined;
  }

  start(onChange: () => void): void {
    this.#last = this.dataVersion();
    this.#timer = setInterval(() => {
      let now: number;
      try {
        now = this.dataVersion();
      } catch {
        return; // closing: the database is gone
      }
      if (now === this.#last) return;
      this.#last = now;
      onChange();
    }, this.checkMs).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
