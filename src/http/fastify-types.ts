import type { InferenceTrace } from '../modules/serving/answer.js';
import type { Principal, RouteScope } from '../modules/security/scopes.js';
import type { MatchedRoute } from './matched-route.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires (`any`: any credential); routes without one are public (/health, /ready). */
    scope?: RouteScope;
    /** Inference (native predict, V2 infer): the only requests load shedding refuses. */
    inference?: boolean;
    /** The body as the OpenAPI document shows it, where no schema validates it (multipart uploads). */
    documentedBody?: Record<string, unknown>;
  }
  interface FastifyRequest {
    /** Kept by `matchedRoute(req)` (read it through that): null until its first call. */
    matchedRoute: MatchedRoute | null;
    principal: Principal | null;
    /** Fields a route adds to the request's log line (model, version). */
    logFields: Record<string, unknown> | null;
    /** An inference request's trace (native predict, V2 infer): read by the data plane's observers. */
    inference: InferenceTrace | null;
  }
}
