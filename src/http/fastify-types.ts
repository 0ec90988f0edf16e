import type { InferenceTrace } from '../modules/serving/answer.js';
import type { Principal, RouteScope } from '../modules/security/scopes.js';

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
    /**
     * The matched route's config and URL pattern, read once per request by the first hook.
     * `req.routeOptions` is a getter that builds a new object on every read, and a predict request
     * read it about ten times (hooks, rate-limit callbacks, the log line). Null before that hook
     * ran (a request refused while its URL was parsed).
     */
    routeSettings: FastifyContextConfig | null;
    /** The matched route's URL pattern (`/v1/models/:name/predict`); null when no route matched. */
    routePattern: string | null;
    principal: Principal | null;
    /** Fields a route adds to the request's log line (model, version). */
    logFields: Record<string, unknown> | null;
    /** An inference request's trace (native predict, V2 infer): read by the data plane's observers. */
    inference: InferenceTrace | null;
  }
}
