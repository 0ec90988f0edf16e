import { nearestRank } from '../shared/nearest-rank.js';

/**
 * Recent predict traffic per model version, for people (`GET /stats`): request count, error
 * rates and latency percentiles over a sliding time window. Each version keeps a ring of its last
 * `capacity` requests (time, latency, status); a snapshot reads the ones inside the window.
 */
interface Ring {
  t: Float64Array;
  ms: Float64Array;
  status: Uint16Array;
  next: number;
  size: number;
}

export interface VersionStats {
  model: string;
  version: string;
  requests: number;
  /** share of requests answered 5xx */
  error_rate: number;
  /** share answered 4xx (invalid input, rate limited, ...) */
  client_error_rate: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
}

export class TrafficStats {
  readonly #rings = new Map<string, { model: string; version: string; ring: Ring }>();

  constructor(private readonly capacity = 20_000) {}

  record(model: string, version: string, latencyMs: number, status: number, nowMs: number): void {
    const key = `${model}\u0000${version}`;
    let entry = this.#rings.get(key);
    if (!entry) {
      const c = this.capacity;
      entry = {
        model,
        version,
        ring: {
          t: new Float64Array(c),
          ms: new Float64Array(c),
          status: new Uint16Array(c),
          next: 0,
          size: 0,
        },
      };
      this.#rings.set(key, entry);
    }
    const r = entry.ring;
    r.t[r.next] = nowMs;
    r.ms[r.next] = latencyMs;
    r.status[r.next] = status;
    r.next = (r.next + 1) % this.capacity;
    r.size = Math.min(r.size + 1, this.capacity);
  }

  snapshot(nowMs: number, windowMs: number): VersionStats[] {
    const out: VersionStats[] = [];
    for (const { model, version, ring } of this.#rings.values()) {
      const latencies: number[] = [];
      let errors = 0;
      let clientErrors = 0;
      for (let i = 0; i < ring.size; i++) {
        if (ring.t[i]! < nowMs - windowMs) continue;
        latencies.push(ring.ms[i]!);
        if (ring.status[i]! >= 500) errors++;
        else if (ring.status[i]! >= 400) clientErrors++;
      }
      const n = latencies.length;
      if (n === 0) continue;
      latencies.sort((a, b) => a - b);
      out.push({
        model,
        version,
        requests: n,
        error_rate: round(errors / n),
        client_error_rate: round(clientErrors / n),
        latency_ms: {
          p50: percentile(latencies, 0.5),
          p95: percentile(latencies, 0.95),
          p99: percentile(latencies, 0.99),
          max: round(latencies[n - 1]!),
        },
      });
    }
    return out.sort((a, b) => a.model.localeCompare(b.model) || a.version.localeCompare(b.version));
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number | null {
  return sorted.length === 0 ? null : round(nearestRank(sorted, q));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
