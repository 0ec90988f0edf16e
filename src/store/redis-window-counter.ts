import { Redis } from 'ioredis';
import type { WindowCount, WindowCounter } from './window-counter.js';

// One round trip each, atomic: INCR, and PEXPIRE when the window opens (or when a key somehow has
// no expiry, so a counter can never stick for good).
const INCREMENT = `
local c = redis.call('INCR', KEYS[1])
if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local t = redis.call('PTTL', KEYS[1])
if t < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  t = tonumber(ARGV[1])
end
return {c, t}`;

const PEEK = `
local c = redis.call('GET', KEYS[1])
if not c then return {0, -2} end
return {tonumber(c), redis.call('PTTL', KEYS[1])}`;

type CounterCommands = {
  mgWindowIncrement(key: string, windowMs: number): Promise<[number, number]>;
  mgWindowPeek(key: string): Promise<[number, number]>;
};

/** Fixed-window counters in Redis, shared by every replica (keys carry the client's prefix). */
export class RedisWindowCounter implements WindowCounter {
  readonly #redis: Redis & CounterCommands;

  constructor(redis: Redis) {
    redis.defineCommand('mgWindowIncrement', { numberOfKeys: 1, lua: INCREMENT });
    redis.defineCommand('mgWindowPeek', { numberOfKeys: 1, lua: PEEK });
    this.#redis = redis as Redis & CounterCommands;
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttlMs] = await this.#redis.mgWindowIncrement(key, windowMs);
    return { count, ttlMs };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const [count, ttlMs] = await this.#redis.mgWindowPeek(key);
    return count > 0 && ttlMs > 0 ? { count, ttlMs } : undefined;
  }
}

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

/**
 * An ioredis client for request-path counters: commands fail at once while disconnected (no
 * offline queue: a request must not wait for a reconnect) and time out after `commandTimeoutMs`;
 * the client reconnects by itself with a capped backoff. The caller must listen to 'error'.
 */
export function openRedis(options: RedisOptions): Redis {
  return new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(1000, options.commandTimeoutMs),
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    // no INFO round trip before 'ready': one command less while a replica starts
    enableReadyCheck: false,
  });
}
