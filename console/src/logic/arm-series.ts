// The rollout page's charts. Per look, the API's own history: every decision keeps the values its
// checks measured on each arm (error rate, p99 latency), so these series survive a reload and
// cover rollouts that have ended. Between looks, the requests per arm come from the page's polls
// of the live window, which the API keeps no history of (docs/adr/0012-web-console.md).
import type { Decision, RolloutDetail } from '../api/types.js';

export interface LookPoint {
  /** when the look was taken, ms since the epoch */
  t: number;
  stableErrorRate: number | null;
  candidateErrorRate: number | null;
  stableP99Ms: number | null;
  candidateP99Ms: number | null;
}

/** One point per look that measured something, oldest first (decisions come newest first). */
export function lookSeries(decisions: readonly Decision[]): LookPoint[] {
  const value = (d: Decision, check: string, arm: 'baseline' | 'candidate', field: string) => {
    const c = d.checks.find((x) => x.name === check);
    const v = c?.[arm][field];
    // an arm with no requests has no rate, whatever the check wrote
    if (check === 'error_rate' && !c?.[arm].requests) return null;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  return [...decisions]
    .filter((d) => d.checks.length > 0)
    .reverse()
    .map((d) => ({
      t: Date.parse(d.at),
      stableErrorRate: value(d, 'error_rate', 'baseline', 'rate'),
      candidateErrorRate: value(d, 'error_rate', 'candidate', 'rate'),
      stableP99Ms: value(d, 'latency', 'baseline', 'p99_ms'),
      candidateP99Ms: value(d, 'latency', 'candidate', 'p99_ms'),
    }));
}

export interface ArmPoint {
  /** when the poll answered, ms since the epoch */
  t: number;
  step: number;
  stableRequests: number;
  candidateRequests: number;
}

/** One point from a poll of a running rollout (null when the API shows no live window). */
export function armPoint(r: RolloutDetail, t: number): ArmPoint | null {
  if (!r.window) return null;
  return {
    t,
    step: r.step_index,
    stableRequests: r.window.stable.requests,
    candidateRequests: r.window.candidate.requests,
  };
}

/** Appends a point, keeping the newest `max` (an hour at one poll a second, by default). */
export function appendPoint(series: readonly ArmPoint[], point: ArmPoint | null, max = 3600): ArmPoint[] {
  const last = series[series.length - 1];
  if (!point || (last && point.t <= last.t)) return [...series];
  const next = [...series, point];
  return next.length > max ? next.slice(next.length - max) : next;
}
