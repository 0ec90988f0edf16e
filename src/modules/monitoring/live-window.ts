import {
  column,
  emptyTally,
  record,
  RESERVOIR,
  summarise,
  type Column,
  type LiveSummary,
  type Tally,
} from './pane-tally.js';
import type { Profile } from './reference-profile.js';

export {
  RESERVOIR,
  type LiveCategorySummary,
  type LiveNumericSummary,
  type LiveSummary,
} from './pane-tally.js';

/**
 * Summaries of recent traffic, cheap enough to update on every prediction and small enough to
 * keep per model: no copy of the inputs is stored, only per-pane counts, moments and a bounded
 * reservoir sample. Numbers are binned with the reference profile's edges and categories, so a
 * snapshot can be compared with the profile bin by bin.
 */

/** The window is a ring of panes; the oldest pane is dropped whole, so the window moves in steps of 1/PANES. */
export const PANES = 10;

export type WindowSpec = { kind: 'count'; size: number } | { kind: 'time'; seconds: number };

export interface LiveWindowDeps {
  /** current time in ms; time windows only. A clock that goes back is treated as standing still. */
  now: () => number;
  /** uniform in [0, 1): chooses reservoir replacements and the snapshot's sample */
  random: () => number;
}

export interface LiveSnapshot {
  features: Record<string, LiveSummary>;
  prediction: LiveSummary;
  rows: number;
}

/** One pane of a window: its epoch (time windows: wall-clock aligned, so replicas' panes line up). */
export interface Pane {
  epoch: number;
  rows: number;
  tallies: Tally[];
}

export class LiveWindow {
  readonly #columns: Column[];
  readonly #panes: Pane[];
  readonly #paneSize: number;
  readonly #deps: LiveWindowDeps;
  readonly #byCount: boolean;
  #observed = 0;
  #latestEpoch = -Infinity;

  /**
   * Both kinds keep the current pane and the PANES − 1 before it. A count window of `size` has
   * panes of ⌈size/PANES⌉ observations, so it holds the last size − size/PANES + 1 … size of
   * them; a time window of `seconds` has panes of seconds/PANES aligned on multiples of that
   * length, so it holds between seconds − seconds/PANES and `seconds` of traffic.
   */
  constructor(profile: Profile, window: WindowSpec, deps: LiveWindowDeps) {
    if (window.kind === 'count' && !(Number.isInteger(window.size) && window.size >= PANES)) {
      throw new RangeError(`a count window needs an integer size ≥ ${PANES}, got ${window.size}`);
    }
    if (window.kind === 'time' && !(window.seconds > 0 && Number.isFinite(window.seconds))) {
      throw new RangeError(`a time window needs seconds > 0, got ${window.seconds}`);
    }
    this.#byCount = window.kind === 'count';
    this.#paneSize =
      window.kind === 'count' ? Math.ceil(window.size / PANES) : (window.seconds * 1000) / PANES;
    this.#deps = deps;
    const named = Object.entries(profile.features).map(([name, p]) => column(name, p));
    this.#columns = [...named, column('prediction', profile.prediction)];
    this.#panes = Array.from({ length: PANES }, () => this.#emptyPane(-Infinity));
  }

  /** Records one prediction and its inputs: O(features · log bins). Unknown row keys are ignored. */
  observe(row: Record<string, unknown>, prediction: number | string): void {
    this.observeMany([row], [prediction]);
  }

  /**
   * Records predictions and their inputs (`predictions[i]` of `rows[i]`) exactly as `observe`
   * would one after the other (same values, same order of random draws), without a closure per
   * row or a pane lookup per row: a pane is found once per run of rows that fall in it. Row by
   * row, not column by column: a request's rows are ~1 MB of objects, and walking them once per
   * column missed the cache. A time window reads the clock once: a request's rows share one
   * instant.
   */
  observeMany(
    rows: ReadonlyArray<Record<string, unknown>>,
    predictions: ReadonlyArray<number | string>,
  ): void {
    const now = this.#byCount ? 0 : this.#timeEpoch();
    const columns = this.#columns;
    const last = columns.length - 1;
    const { random } = this.#deps;
    for (let from = 0; from < rows.length;) {
      const epoch = this.#byCount ? Math.floor(this.#observed / this.#paneSize) : now;
      // a count window's pane takes rows up to its size; the rest go to the next one
      const to = this.#byCount
        ? Math.min(rows.length, from + (epoch + 1) * this.#paneSize - this.#observed)
        : rows.length;
      const pane = this.#paneFor(epoch);
      const { tallies } = pane;
      for (let r = from; r < to; r++) {
        const row = rows[r]!;
        // one draw per row, once a column's reservoir can be full (no column has more values
        // than the pane has rows); the same state draws in observe and observeMany
        const u = pane.rows + (r - from) >= RESERVOIR ? random() : 0;
        for (let i = 0; i < last; i++) record(tallies[i]!, columns[i]!, row[columns[i]!.name], u);
        record(tallies[last]!, columns[last]!, predictions[r], u);
      }
      pane.rows += to - from;
      this.#observed += to - from;
      from = to;
    }
  }

  /** Changes whenever the snapshot could: a row observed, or (time windows) a pane boundary passed. */
  get changeToken(): string {
    return this.#byCount ? String(this.#observed) : `${this.#observed}@${this.#timeEpoch()}`;
  }

  /** The panes inside the window now (what a replica publishes for the others to merge). */
  livePanes(): Pane[] {
    const epoch = this.#byCount
      ? Math.floor(Math.max(this.#observed - 1, 0) / this.#paneSize)
      : this.#timeEpoch();
    return this.#panes.filter((p) => p.epoch > epoch - PANES && p.epoch <= epoch);
  }

  /**
   * Merged summary of the panes still inside the window, and of `others` (other replicas' live
   * panes): counts and bins add up. A time window keeps others' panes of its own epochs; a count
   * window takes each replica's live panes as they are (each holds its own last rows).
   */
  snapshot(others: readonly Pane[] = []): LiveSnapshot {
    const mine = this.livePanes();
    const latest = this.#byCount ? 0 : this.#timeEpoch();
    const inside = (p: Pane) => this.#byCount || (p.epoch > latest - PANES && p.epoch <= latest);
    const live = [...mine, ...others.filter(inside)];
    const summaries = this.#columns.map((col, i) =>
      summarise(
        col,
        live.map((p) => p.tallies[i]!),
        this.#deps.random,
      ),
    );
    const prediction = summaries.pop()!;
    return {
      features: Object.fromEntries(summaries.map((s, i) => [this.#columns[i]!.name, s])),
      prediction,
      rows: live.reduce((s, p) => s + p.rows, 0),
    };
  }

  #timeEpoch(): number {
    this.#latestEpoch = Math.max(this.#latestEpoch, Math.floor(this.#deps.now() / this.#paneSize));
    return this.#latestEpoch;
  }

  #paneFor(epoch: number): Pane {
    const slot = ((epoch % PANES) + PANES) % PANES;
    if (this.#panes[slot]!.epoch !== epoch) this.#panes[slot] = this.#emptyPane(epoch);
    return this.#panes[slot]!;
  }

  #emptyPane(epoch: number): Pane {
    return { epoch, rows: 0, tallies: this.#columns.map(emptyTally) };
  }
}
