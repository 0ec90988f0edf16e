import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FailedAuthStore } from '../modules/security/failed-auth-store.js';
import type { Authenticator } from '../modules/security/authenticator.js';
import { clientKey } from '../shared/client-address.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import { matchedRoute } from './matched-route.js';

const WINDOW_MS = 60_000;

export interface AuthenticationOptions {
  auth: Authenticator;
  failures: FailedAuthStore;
  clock: Clock;
  /** Failed authentications allowed per client address per minute (0: unlimited). */
  maxFailuresPerMinute: number;
  /**
   * When the store fails (a shared one, Redis): let the request through to authentication
   * (default) or refuse it with 503 RATE_LIMIT_UNAVAILABLE.
   */
  failOpen?: boolean;
  /** A check skipped because the store failed and `failOpen` is on. */
  onFailOpen?: () => void;
}

/**
 * One hook, for routes that need a scope (the others are public): the failed-authentication
 * throttle, then authentication and authorization. The throttle comes first because it is the
 * cheaper refusal: a client address that failed authentication `maxFailuresPerMinute` times is
 * answered 429 until its minute ends without its credentials being looked at, so guessing keys
 * costs a map lookup per attempt instead of a hash and a database read. Only UNAUTHENTICATED
 * counts: a valid credential without the scope (403) is no guess.
 */
export function registerAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  const { auth, failures, clock, maxFailuresPerMinute: max } = options;
  const failOpen = options.failOpen ?? true;
  /** A store failure: the request goes on uncounted (fail open), or is refused. */
  const storeFailed = (req: FastifyRequest, err: unknown): undefined => {
    if (!failOpen) {
      throw err instanceof AppError && err.code === 'RATE_LIMIT_UNAVAILABLE'
        ? err
        : new AppError('RATE_LIMIT_UNAVAILABLE', 'rate limits cannot be checked right now; retry shortly', {
            headers: { 'retry-after': '1' },
          });
    }
    options.onFailOpen?.();
    // the guarded shared store logs its own failures, at a bounded rate
    if (!(err instanceof AppError)) req.log.warn({ err }, 'failed-authentication store unavailable');
    return undefined;
  };

  /** 429 when this client address failed authentication `max` times in its current minute. */
  const throttle = async (req: FastifyRequest): Promise<void> => {
    const now = clock.nowMs();
    const window = await failures.get(clientKey(req.ip), now).catch((err: unknown) => storeFailed(req, err));
    if (window && window.count >= max) {
      const seconds = Math.max(1, Math.ceil((window.resetAtMs - now) / 1000));
      throw new AppError(
        'AUTH_THROTTLED',
        `more than ${max} failed authentications from this address within a minute; retry in ${seconds} s`,
        { headers: { 'retry-after': String(seconds) } },
      );
    }
  };

  // one hook for both steps: each hook is a call through Fastify's hook runner, an async one a
  // promise and a microtask too, on every request
  app.addHook('onRequest', async (req) => {
    const scope = matchedRoute(req).config.scope;
    if (!scope) return;
    // an in-memory store with no window open answers without a promise: nothing to throttle
    if (max > 0 && failures.anyOpen?.(clock.nowMs()) !== false) await throttle(req);
    const apiKey = req.headers['x-api-key'];
    const authorization = req.headers.authorization;
    const key = typeof apiKey === 'string' ? apiKey : undefined;
    let principal;
    try {
      principal = await (req.spans
        ? req.spans.child('modelgate.authenticate', {}, () => auth.authenticate(authorization, key))
        : auth.authenticate(authorization, key));
    } catch (err) {
      if (max > 0 && err instanceof AppError && err.code === 'UNAUTHENTICATED') {
        // fail open or closed, the answer stays the 401: the credential was wrong either way
        await failures.record(clientKey(req.ip), WINDOW_MS, clock.nowMs()).catch((storeErr: unknown) => {
          if (failOpen) options.onFailOpen?.();
          if (!(storeErr instanceof AppError))
            req.log.warn({ err: storeErr }, 'failed-authentication store unavailable');
        });
      }
      throw err;
    }
    req.principal = principal;
    req.spans?.setAttributes({ 'modelgate.principal': principal.id });
    auth.authorize(principal, scope);
  });
}
