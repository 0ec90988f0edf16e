import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { GuardedWindowCounter } from './guarded-window-counter.js';
import { MemoryWindowCounter, type WindowCounter } from './window-counter.js';

/** A counter that answers, fails or never answers, as the test says. */
class FakeRedis implements WindowCounter {
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  readonly #memory = new MemoryWindowCounter();

  increment(key: string, windowMs: number) {
    return this.#answer(() => this.#memory.increment(key, windowMs));
  }

  peek(key: string) {
    return this.#answer(() => this.#memory.peek(key));
  }

  #answer<T>(ok: () => Promise<T>): Promise<T> {
    if (this.mode === 'fail') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    if (this.mode === 'hang') return new Promise<T>(() => undefined);
    return ok();
  }
}

function setup(timeoutMs = 50) {
  const redis = new FakeRedis();
  const lines: Array<Record<string, unknown>> = [];
  const logs = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  let now = 0;
  let errors = 0;
  const counter = new GuardedWindowCounter(redis, {
    timeoutMs,
    logger: createLogger({ level: 'info', destination: logs }),
    onError: () => errors++,
    logIntervalMs: 10_000,
    nowMs: () => now,
  });
  const warnings = () => lines.filter((l) => l.msg === 'rate-limit store (Redis) unavailable');
  return {
    redis,
    counter,
    lines,
    errors: () => errors,
    warnings,
    advance: (ms: number) => (now += ms),
  };
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, String(err));
    return err;
  }
  assert.fail('the call succeeded');
}

describe('GuardedWindowCounter', () => {
  it('passes counts through while the store answers', async () => {
    const { counter, errors } = setup();
    assert.equal((await counter.increment('k', 60_000)).count, 1);
    assert.equal((await counter.increment('k', 60_000)).count, 2);
    assert.equal((await counter.peek('k'))?.count, 2);
    assert.equal(await counter.peek('other'), undefined);
    assert.equal(counter.up, true);
    assert.equal(errors(), 0);
  });

  it('gives up on a store that does not answer after the timeout, with RATE_LIMIT_UNAVAILABLE', async () => {
    const { redis, counter, errors } = setup(50);
    redis.mode = 'hang';
    const started = performance.now();
    const err = await refusal(counter.increment('k', 60_000));
    const waited = performance.now() - started;
    assert.equal(err.code, 'RATE_LIMIT_UNAVAILABLE');
    assert.equal(err.extras.headers?.['retry-after'], '1');
    assert.match((err.cause as Error).message, /no answer within 50 ms/);
    assert.ok(waited >= 45 && waited < 500, `waited ${waited} ms`);
    assert.equal(counter.up, false);
    assert.equal(errors(), 1);
  });

  it('after a timeout, fails at once for the backoff, then tries again', async () => {
    const { redis, counter, errors, advance } = setup(50);
    redis.mode = 'hang';
    await refusal(counter.increment('k', 60_000));
    const started = performance.now();
    const err = await refusal(counter.peek('k'));
    assert.ok(performance.now() - started < 20, 'the second call of a request does not wait again');
    assert.match((err.cause as Error).message, /timed out a moment ago/);
    assert.equal(errors(), 2);
    redis.mode = 'ok';
    advance(999);
    await refusal(counter.peek('k'));
    advance(1);
    assert.equal((await counter.increment('k', 60_000)).count, 1);
    assert.equal(counter.up, true);
  });

  it('counts every failure but logs one line per interval, then one when the store is back', async () => {
    const { redis, counter, errors, warnings, lines, advance } = setup();
    redis.mode = 'fail';
    for (let i = 0; i < 100; i++) await refusal(counter.increment('k', 60_000));
    assert.equal(errors(), 100);
    assert.equal(warnings().length, 1);
    assert.equal(warnings()[0]!.failures, 1);
    advance(10_000);
    await refusal(counter.peek('k'));
    assert.equal(warnings().length, 2);
    assert.equal(warnings()[1]!.failures, 100, '99 suppressed since the last line, and this one');

    redis.mode = 'ok';
    assert.equal((await counter.increment('k', 60_000)).count, 1);
    assert.equal(counter.up, true);
    const back = lines.filter((l) => l.msg === 'rate-limit store (Redis) answers again');
    assert.equal(back.length, 1);
  });

  it('reads as down while the connection is down, and skips the round trip meanwhile', async () => {
    let connected = false;
    let calls = 0;
    const inner = new MemoryWindowCounter();
    const counter = new GuardedWindowCounter(
      {
        increment: (k, w) => (calls++, inner.increment(k, w)),
        peek: (k) => (calls++, inner.peek(k)),
      },
      { timeoutMs: 50, logger: createLogger({ level: 'silent' }), connected: () => connected },
    );
    assert.equal(counter.up, false);
    assert.match((await refusal(counter.increment('k', 1000))).message, /RATE_LIMIT_UNAVAILABLE/);
    assert.equal(calls, 0);
    connected = true;
    counter.noteConnected();
    assert.equal(counter.up, true);
    assert.equal((await counter.increment('k', 1000)).count, 1);
    assert.equal(calls, 1);
  });
});

describe('MemoryWindowCounter', () => {
  it('opens a window at the first hit and starts again when it closes', async () => {
    let now = 1000;
    const c = new MemoryWindowCounter(() => now);
    assert.deepEqual(await c.increment('a', 6000), { count: 1, ttlMs: 6000 });
    now += 2000;
    assert.deepEqual(await c.increment('a', 6000), { count: 2, ttlMs: 4000 });
    assert.deepEqual(await c.peek('a'), { count: 2, ttlMs: 4000 });
    now += 4000;
    assert.equal(await c.peek('a'), undefined);
    assert.deepEqual(await c.increment('a', 6000), { count: 1, ttlMs: 6000 });
  });
});
