import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs, retryDelayMs } from './retry-policy.js';

/** The table both clients run (the Python client's tests read this same file). */
interface Case {
  name: string;
  method: string;
  status: number;
  code: string | null;
  keyed: boolean;
  attempt: number;
  retry_after: string | null;
  now_ms: number;
  random: number;
  policy: { max_retries: number; max_wait_ms: number; base_delay_ms: number };
  expected_delay_ms: number | null;
}
const CASES = JSON.parse(
  readFileSync(new URL('./retry-policy-cases.json', import.meta.url), 'utf8'),
) as Case[];

describe('retryDelayMs', () => {
  it('holds a table of cases that covers every rule', () => {
    assert.ok(CASES.length >= 30);
    assert.ok(CASES.some((c) => c.expected_delay_ms === null && c.method === 'POST' && !c.keyed));
  });
  for (const c of CASES) {
    it(c.name, () => {
      const delay = retryDelayMs(
        {
          method: c.method,
          status: c.status,
          code: c.code ?? undefined,
          keyed: c.keyed,
          attempt: c.attempt,
          retryAfter: c.retry_after ?? undefined,
        },
        {
          maxRetries: c.policy.max_retries,
          maxWaitMs: c.policy.max_wait_ms,
          baseDelayMs: c.policy.base_delay_ms,
        },
        c.now_ms,
        c.random,
      );
      assert.equal(delay, c.expected_delay_ms ?? undefined);
    });
  }

  it('has defaults the table uses: 3 retries, 30 s at most, 500 ms first step', () => {
    assert.deepEqual({ ...DEFAULT_RETRY_POLICY }, { maxRetries: 3, maxWaitMs: 30_000, baseDelayMs: 500 });
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const table: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['7', 7000],
    ['007', 7000],
    ['Thu, 01 Jan 2026 00:00:09 GMT', 9000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['2e3', undefined],
    ['1.5', undefined],
    ['-3', undefined],
    ['2026-01-01T00:00:09Z', undefined],
  ];
  for (const [header, expected] of table) {
    it(`${JSON.stringify(header)} → ${expected}`, () =>
      assert.equal(parseRetryAfterMs(header, now), expected));
  }
});
