import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/problem.js';
import { loadFor, newPollRun, type PollRun } from '../logic/poll-run.js';

export interface Polled<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads now and then every `everyMs` (0: once), never two loads at a time for the same `deps`; the
 * last good data stays on screen while a reload fails. `deps` restart it: a load still in flight
 * for the previous ones is ignored when it ends (PollRun).
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const run = useRef<PollRun>({ current: false, busy: false });
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(
    () =>
      loadFor(run.current, () => loader.current(), {
        data: (value) => {
          setData(value);
          setProblem(undefined);
        },
        problem: (err) => setProblem(asProblem(err)),
        settled: () => setLoading(false),
      }),
    [],
  );

  useEffect(() => {
    const mine = newPollRun();
    run.current = mine;
    setData(undefined);
    setProblem(undefined);
    setLoading(true);
    void reload();
    const timer = everyMs > 0 ? window.setInterval(() => void reload(), everyMs) : undefined;
    return () => {
      mine.current = false;
      if (timer !== undefined) window.clearInterval(timer);
    };
  }, deps);

  return { data, problem, loading, reload };
}

/** The current time, ticking every `everyMs` (for countdowns). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
