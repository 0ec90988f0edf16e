import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../shared/version.js';
import { paramExample, routeExamples, type RouteExample } from './api-examples.js';

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

/** The route's examples on copies of its schemas (the originals validate requests). */
function addExamples(out: Record<string, unknown>, example: RouteExample | undefined): void {
  if (out.body && example?.body !== undefined) out.body = { ...out.body, examples: [example.body] };
  const params = out.params as ObjectSchema | undefined;
  if (params?.properties) {
    out.params = withPropertyExamples(params, (name) => paramExample(example, name));
  }
  const query = out.querystring as ObjectSchema | undefined;
  if (query?.properties && example?.query) {
    out.querystring = withPropertyExamples(query, (name) => example.query?.[name]);
  }
}

interface ObjectSchema {
  properties?: Record<string, object>;
}

function withPropertyExamples(schema: ObjectSchema, exampleOf: (name: string) => string | undefined): object {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, property]) => {
      const value = exampleOf(name);
      return [name, value === undefined ? property : { ...property, examples: [value] }];
    }),
  );
  return { ...schema, properties };
}

/** modelgate's mark for the top bar and the tab of /docs (instead of Fastify's and Swagger's). */
const LOGO_SVG = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40" viewBox="0 0 200 40" role="img" aria-label="modelgate">',
  '<rect x="2" y="4" width="32" height="32" rx="7" fill="#3b82f6"/>',
  '<path d="M9 28V12l9 8 9-8v16" fill="none" stroke="#fff" stroke-width="3" stroke-linejoin="round"/>',
  '<text x="44" y="28" font-family="system-ui, sans-serif" font-size="22" font-weight="600" fill="#fff">modelgate</text>',
  '</svg>',
].join('');
const ICON_SVG = LOGO_SVG.replace('width="200"', 'width="40"')
  .replace('0 0 200 40', '0 0 40 40')
  .replace(/<text.*<\/text>/, '');

/** The scopes a route needs, as the document says it: `x-modelgate-scope` and the security list. */
const SECURITY = [{ bearer: [] }, { apiKey: [] }];

/**
 * OpenAPI 3.1 for the whole HTTP API, generated from the route schemas (TypeBox; the same ones
 * that validate requests and serialise responses), served at `/openapi.json`, with Swagger UI at
 * `/docs` from the assets bundled in @fastify/swagger-ui (no CDN). Must be registered before the
 * routes: @fastify/swagger collects them as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  const examples = routeExamples();
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
      const example = examples.get(`${[route.method].flat()[0]} ${route.url}`);
      addExamples(out, example);
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
    logo: { type: 'image/svg+xml', content: Buffer.from(LOGO_SVG), href: '/docs', target: '_self' },
    theme: {
      title: 'modelgate API',
      favicon: [
        {
          filename: 'favicon.svg',
          rel: 'icon',
          sizes: 'any',
          type: 'image/svg+xml',
          content: Buffer.from(ICON_SVG),
        },
      ],
    },
    // the page loads only its own bundled scripts and styles, and talks only to this server
    staticCSP: true,
    transformStaticCSP: () => DOCS_CSP,
    logLevel: 'warn',
  });
}
