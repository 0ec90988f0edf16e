/**
 * When the client sends a request again, and after how long. Pure: the clock and the random draw
 * are arguments, so the table in `retry-policy-cases.json` pins every decision, and the Python
 * client (`clients/python`) runs the same table against its own copy of these rules.
 *
 * Rules, in order:
 * 1. Only answers that say "not now" are retried: 429 (rate limited), 503 (overloaded, shutting
 *    down, a gateway with no upstream), and 409 `IDEMPOTENCY_KEY_IN_FLIGHT` (the same key is still
 *    running; the server answers it with `Retry-After: 1`).
 * 2. Only requests that are safe to send twice: reads (GET, HEAD, OPTIONS) and writes that carry
 *    an `Idempotency-Key`. A keyless write is never retried: a 503 from a proxy does not say
 *    whether the server ran it, and running a rollback twice moves production twice.
 * 3. At most `maxRetries` retries (`attempt` counts the attempts made so far, 1 after the first).
 * 4. A `Retry-After` header is honoured exactly (delay-seconds, or an HTTP-date measured from
 *    `nowMs`; a date in the past is 0). One longer than `maxWaitMs` is not waited for: the caller
 *    gets the error at once, with the header on it, rather than a call blocked for a minute.
 * 5. Without a usable header: exponential backoff with "equal jitter", b = min(maxWaitMs,
 *    baseDelayMs·2^(attempt−1)), delay = b/2 + random·b/2. With base 500 ms: 250–500 ms, then
 *    500–1000 ms, then 1–2 s. The jitter spreads clients that failed together.
 */
export interface RetryPolicy {
  /** retries after the first attempt (0: never retry) */
  maxRetries: number;
  /** the longest wait before one retry, Retry-After included */
  maxWaitMs: number;
  /** the first backoff step when the server gives no Retry-After */
  baseDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 3,
  maxWaitMs: 30_000,
  baseDelayMs: 500,
});

/** A failed attempt, as the retry decision sees it. */
export interface FailedAttempt {
  method: string;
  status: number;
  /** the problem's stable code, when the answer had one */
  code: string | undefined;
  /** the request carries an Idempotency-Key (the same one on every attempt) */
  keyed: boolean;
  /** attempts made so far, this one included */
  attempt: number;
  /** the raw Retry-After header, if any */
  retryAfter: string | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Milliseconds to wait before the next attempt, or undefined: do not retry. */
export function retryDelayMs(
  failed: FailedAttempt,
  policy: RetryPolicy,
  nowMs: number,
  random: number,
): number | undefined {
  const notNow =
    failed.status === 429 ||
    failed.status === 503 ||
    (failed.status === 409 && failed.code === 'IDEMPOTENCY_KEY_IN_FLIGHT');
  if (!notNow) return undefined;
  if (!SAFE_METHODS.has(failed.method.toUpperCase()) && !failed.keyed) return undefined;
  if (failed.attempt > policy.maxRetries) return undefined;
  const told = parseRetryAfterMs(failed.retryAfter, nowMs);
  if (told !== undefined) return told <= policy.maxWaitMs ? told : undefined;
  const b = Math.min(policy.maxWaitMs, policy.baseDelayMs * 2 ** (failed.attempt - 1));
  return Math.round(b / 2 + (random * b) / 2);
}

/**
 * RFC 9110 §10.2.3: `Retry-After: 120` (delay-seconds, digits only) or an HTTP-date such as
 * `Wed, 21 Oct 2015 07:28:00 GMT`. Anything else (a fraction, a negative, words) is ignored.
 */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // an HTTP-date names a weekday and GMT; Date.parse alone would also take "2" or "1.5"
  if (!/^[A-Za-z]{3}, .* GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
