import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../shared/version.js';

const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
].join('; ');

/** The scopes a route needs, as the document says it: `x-modelgate-scope` and the security list. */
const SECURITY = [{ bearer: [] }, { apiKey: [] }];

/**
 * OpenAPI 3.1 for the whole HTTP API, generated from the route schemas (TypeBox; the same ones
 * that validate requests and serialise responses), served at `/openapi.json`, with Swagger UI at
 * `/docs` from the assets bundled in @fastify/swagger-ui (no CDN). Must be registered before the
 * routes: @fastify/swagger collects them as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'modelgate',
        version: VERSION,
        description:
          'Serve ONNX models: a versioned registry, validated predictions (native JSON API and the Open Inference Protocol V2), progressive rollouts with automatic rollback. Errors are RFC 9457 problem+json with a stable `code` (V2 routes: the protocol\'s `{"error"}` body).',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key (`mg_…`) or an OAuth2 access token (JWT)',
          },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'predict', description: 'Native prediction API' },
        { name: 'models', description: 'Registry: models, versions, aliases' },
        { name: 'rollouts', description: 'Progressive delivery' },
        { name: 'feedback', description: 'Ground truth and live performance' },
        { name: 'quality', description: 'Drift, evaluations and model cards' },
        { name: 'keys', description: 'API keys' },
        { name: 'audit', description: 'Audit log' },
        { name: 'observability', description: 'Metrics and statistics' },
        { name: 'v2', description: 'Open Inference Protocol (V2) REST' },
      ],
    },
    // shared schemas keep their names (#/components/schemas/Problem) instead of def-N
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => {
      const scope = route.config?.scope;
      const out = { ...(schema ?? {}) } as Record<string, unknown>;
      if (route.config?.documentedBody) out.body = route.config.documentedBody;
      if (scope) {
        out.security = SECURITY;
        out['x-modelgate-scope'] = scope;
        const needs = scope === 'any' ? 'Needs a credential (any scope).' : `Needs the \`${scope}\` scope.`;
        out.description = [out.description, needs].filter(Boolean).join(' ');
      } else {
        out.security = [];
      }
      return { schema: out, url };
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null } as never,
    // the page loads only its own bundled scripts and styles, and talks only to this server
    staticCSP: true,
    transformStaticCSP: () => DOCS_CSP,
    logLevel: 'warn',
  });
}
