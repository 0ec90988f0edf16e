import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { asProblem, type ApiProblem } from '../api/problem.js';

export interface Polled<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Loads now and then every `everyMs` (0: once), never two loads at a time; the last good data
 * stays on screen while a reload fails. `deps` restart it.
 */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, deps: unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const busy = useRef(false);
  const alive = useRef(true);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      const value = await loader.current();
      if (alive.current) {
        setData(value);
        setProblem(undefined);
      }
    } catch (err) {
      if (alive.current) setProblem(asProblem(err));
    } finally {
      busy.current = false;
      if (alive.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    alive.current = true;
    setData(undefined);
    setLoading(true);
    void reload();
    const timer = everyMs > 0 ? window.setInterval(() => void reload(), everyMs) : undefined;
    return () => {
      alive.current = false;
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
