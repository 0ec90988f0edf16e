export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * Capped exponential backoff with ±20% jitter, so replicas that lost the database together do not
 * retry in lockstep: the n-th retry (from 0) waits min(max, initial · 2ⁿ) · (0.8 + 0.4 · r).
 * Example: initial 1 s, max 30 s, r = 0.5 → 1 s, 2 s, 4 s, 8 s, 16 s, 30 s, 30 s, …
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 52));
  return Math.round(base * (0.8 + 0.4 * random()));
}
