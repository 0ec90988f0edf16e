import type { Stats } from '../api/types.js';

/** A model's traffic over the /stats window: requests per minute and the server-error rate. */
export function modelTraffic(
  stats: Stats,
  model: string,
): { perMinute: number; errorRate: number | null; requests: number } {
  const rows = stats.versions.filter((v) => v.model === model);
  const requests = rows.reduce((n, v) => n + v.requests, 0);
  const errors = rows.reduce((n, v) => n + v.error_rate * v.requests, 0);
  return {
    requests,
    perMinute: (requests / Math.max(1, stats.window_seconds)) * 60,
    errorRate: requests > 0 ? errors / requests : null,
  };
}
