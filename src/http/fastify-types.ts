import type { Principal, Scope } from '../modules/security/scopes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route requires; routes without one are public (/health, /ready). */
    scope?: Scope;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Fields a route adds to the request's log line (model, version). */
    logFields: Record<string, unknown> | null;
  }
}
