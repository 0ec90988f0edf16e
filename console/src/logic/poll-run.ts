/**
 * One set of inputs of a polled view (a page's filter, a cursor): its loads run one at a time, and
 * only while it is current may a load's result reach the screen. A run ended by new inputs neither
 * blocks the new run's first load nor lands its late answer over the new one (before, applying a
 * filter while the first page was still loading kept that first page on screen for good).
 */
export interface PollRun {
  /** still the current inputs */
  current: boolean;
  /** a load of this run is in flight */
  busy: boolean;
}

export const newPollRun = (): PollRun => ({ current: true, busy: false });

export interface PollSink<T> {
  data(value: T): void;
  problem(err: unknown): void;
  /** after a load ended either way */
  settled(): void;
}

/** Loads once for `run`, unless one of its loads is in flight or it is no longer current. */
export async function loadFor<T>(run: PollRun, load: () => Promise<T>, sink: PollSink<T>): Promise<void> {
  if (!run.current || run.busy) return;
  run.busy = true;
  try {
    const value = await load();
    if (run.current) sink.data(value);
  } catch (err) {
    if (run.current) sink.problem(err);
  } finally {
    run.busy = false;
    if (run.current) sink.settled();
  }
}
