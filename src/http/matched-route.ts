import type { FastifyContextConfig, FastifyRequest } from 'fastify';

/** What a request's matched route says of it: its config and its URL pattern. */
export interface MatchedRoute {
  config: FastifyContextConfig;
  /** `/v1/models/:name/predict`; null when no route matched (the 404 handler answers) */
  pattern: string | null;
}

/**
 * The request's matched route, read from `req.routeOptions` on the first call and kept on the
 * request. `routeOptions` is a getter that builds a new object on every read, and a predict
 * request asked it about ten times (hooks, rate-limit callbacks, the log line). Any hook may call
 * this first: nothing depends on the order hooks are registered in.
 */
export function matchedRoute(req: FastifyRequest): MatchedRoute {
  if (req.matchedRoute === null) {
    const options = req.routeOptions;
    req.matchedRoute = { config: options.config, pattern: options.url ?? null };
  }
  return req.matchedRoute;
}
