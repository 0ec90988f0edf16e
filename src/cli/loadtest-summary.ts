import { nearestRank } from '../shared/nearest-rank.js';
import type { LatencySecond } from './latency-chart.js';

/** One answer seen by the load generator: when (ms since the start), how long it took, its status. */
export interface Sample {
  atMs: number;
  latencyMs: number;
  status: number;
}

export interface LoadtestSummary {
  duration_s: number;
  requests: number;
  /** answers per second over the run */
  rps: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  /** answers that were not 2xx, by status; connection errors and timeouts as `error` and `timeout` */
  errors_by_status: Record<string, number>;
  /** share of requests that failed (non-2xx answers, connection errors, timeouts), in percent */
  error_percent: number;
  per_second: LatencySecond[];
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Percentiles (nearest rank) and throughput of a run, overall and per second. `failures` are the
 * requests that got no answer (autocannon's `errors` and `timeouts`). Example: 4 answers of
 * 1, 2, 3, 10 ms in 2 s → p50 2, p99 10, 2 req/s.
 */
export function summariseLoadtest(
  samples: Sample[],
  durationS: number,
  failures: { errors: number; timeouts: number },
): LoadtestSummary {
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const q = (p: number) => (sorted.length > 0 ? round(nearestRank(sorted, p)) : 0);
  const errors: Record<string, number> = {};
  for (const s of samples)
    if (s.status < 200 || s.status >= 300) errors[s.status] = (errors[s.status] ?? 0) + 1;
  // connection errors include timeouts in autocannon's count
  const connectionErrors = failures.errors - failures.timeouts;
  if (connectionErrors > 0) errors.error = connectionErrors;
  if (failures.timeouts > 0) errors.timeout = failures.timeouts;
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const total = samples.length + Math.max(0, failures.errors);
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const second = Math.floor(s.atMs / 1000);
    if (!buckets.has(second)) buckets.set(second, []);
    buckets.get(second)!.push(s.latencyMs);
  }
  const lastSecond = Math.max(-1, ...buckets.keys());
  const perSecond: LatencySecond[] = [];
  for (let second = 0; second <= lastSecond; second++) {
    const values = (buckets.get(second) ?? []).sort((a, b) => a - b);
    perSecond.push({
      second,
      requests: values.length,
      p50Ms: values.length > 0 ? round(nearestRank(values, 0.5)) : 0,
      p99Ms: values.length > 0 ? round(nearestRank(values, 0.99)) : 0,
    });
  }
  return {
    duration_s: round(durationS),
    requests: samples.length,
    rps: durationS > 0 ? round(samples.length / durationS, 1) : 0,
    latency_ms: { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: round(sorted.at(-1) ?? 0) },
    errors_by_status: errors,
    error_percent: total > 0 ? round((100 * failed) / total, 3) : 0,
    per_second: perSecond,
  };
}

export interface LoadtestTargets {
  p99Ms?: number;
  errorPercent?: number;
  minRps?: number;
}

/** Each given target, met or missed, with the measured value. */
export function judgeLoadtest(
  s: LoadtestSummary,
  t: LoadtestTargets,
): Array<{ target: string; ok: boolean; measured: number }> {
  const out: Array<{ target: string; ok: boolean; measured: number }> = [];
  if (t.p99Ms !== undefined)
    out.push({
      target: `p99 <= ${t.p99Ms} ms`,
      ok: s.requests > 0 && s.latency_ms.p99 <= t.p99Ms,
      measured: s.latency_ms.p99,
    });
  if (t.errorPercent !== undefined)
    out.push({
      target: `errors <= ${t.errorPercent}%`,
      ok: s.error_percent <= t.errorPercent,
      measured: s.error_percent,
    });
  if (t.minRps !== undefined)
    out.push({ target: `throughput >= ${t.minRps} req/s`, ok: s.rps >= t.minRps, measured: s.rps });
  return out;
}
