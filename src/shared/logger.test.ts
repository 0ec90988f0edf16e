import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { isoTimeOncePerMs } from './logger.js';

describe('isoTimeOncePerMs', () => {
  it("writes pino's isoTime text, formatted again only when the millisecond changes", () => {
    let now = Date.UTC(2026, 11, 2, 17, 5, 29, 123);
    const realNow = Date.now;
    const time = isoTimeOncePerMs(() => now);
    const first = time();
    assert.equal(first, ',"time":"2026-12-02T17:05:29.123Z"');
    // pino's own function, on the same clock
    Date.now = () => now;
    try {
      assert.equal(first, pino.stdTimeFunctions.isoTime());
    } finally {
      Date.now = realNow;
    }
    assert.equal(time(), first, 'the same millisecond');
    now += 1;
    assert.equal(time(), ',"time":"2026-12-02T17:05:29.124Z"');
    now -= 1_000; // a clock stepped back still gets its own text
    assert.equal(time(), ',"time":"2026-12-02T17:05:28.124Z"');
  });
});
