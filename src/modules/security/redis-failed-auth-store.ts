import type { WindowCounter } from '../../store/window-counter.js';
import type { FailedAuthStore, FailureWindow } from './failed-auth-store.js';

/**
 * Failed authentications counted in a shared counter (Redis in cluster mode), so that an address
 * guessing keys has one budget across every replica, not one per replica. Keys are
 * `authfail:<client key>` under the counter's prefix. A counter that does not answer rejects;
 * the authentication hook decides whether the request goes on (fail open) or is refused.
 */
export class RedisFailedAuthStore implements FailedAuthStore {
  constructor(private readonly counter: WindowCounter) {}

  async record(key: string, windowMs: number, nowMs: number): Promise<FailureWindow> {
    const { count, ttlMs } = await this.counter.increment(`authfail:${key}`, windowMs);
    return { count, resetAtMs: nowMs + ttlMs };
  }

  async get(key: string, nowMs: number): Promise<FailureWindow | undefined> {
    const open = await this.counter.peek(`authfail:${key}`);
    return open ? { count: open.count, resetAtMs: nowMs + open.ttlMs } : undefined;
  }
}
