import type { Config } from './config/config-schema.js';
import type { SharedRateLimits } from './http/hardening.js';
import type { Metrics } from './observability/metrics.js';
import type { Logger } from './shared/logger.js';
import { GuardedWindowCounter } from './store/guarded-window-counter.js';
import { openRedis, RedisWindowCounter } from './store/redis-window-counter.js';

export interface RedisLimits {
  /** The guarded counter (for the failed-authentication store). */
  counter: GuardedWindowCounter;
  /** Per-principal rate limits through it. */
  limits: SharedRateLimits;
  close(): Promise<void>;
}

/**
 * Cluster-wide rate limits: the Redis client, the guarded counter over it and its metrics. A
 * Redis that cannot be reached at start does not stop the start: requests fail open (or closed)
 * until it answers, and the client keeps reconnecting.
 */
export async function openRedisLimits(
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<RedisLimits> {
  const redis = openRedis({
    url: config.redisUrl!,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisCommandTimeoutMs,
  });
  const counter = new GuardedWindowCounter(new RedisWindowCounter(redis), {
    timeoutMs: config.redisCommandTimeoutMs,
    logger,
    onError: () => metrics.redisErrors.inc(),
    connected: () => redis.status === 'ready',
  });
  // an unhandled 'error' event would end the process; the counter logs it at a bounded rate
  redis.on('error', (err: unknown) => counter.noteError(err));
  redis.on('ready', () => counter.noteConnected());
  // a short wait, so the first requests after a start are counted; never longer than the bound
  const bound = Math.max(1000, config.redisCommandTimeoutMs);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, bound);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  logger.info(
    { redis: redis.status === 'ready' ? 'connected' : 'not reachable yet' },
    'rate limits count in Redis',
  );
  return {
    counter,
    limits: {
      counter,
      failOpen: config.rateLimitFailOpen,
      onFailOpen: () => metrics.rateLimitFailOpen.inc({ limit: 'principal' }),
    },
    async close() {
      redis.disconnect();
    },
  };
}
