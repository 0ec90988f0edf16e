import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppServices } from '../app-services.js';
import { responses } from '../schemas.js';

const StatsSchema = Type.Object({
  uptime_seconds: Type.Number(),
  window_seconds: Type.Integer(),
  models: Type.Array(
    Type.Object({
      name: Type.String(),
      production: Type.Union([Type.String(), Type.Null()]),
      state: Type.String(),
      loaded_versions: Type.Array(
        Type.Object({ version: Type.String(), artifact_sha256: Type.String(), in_flight: Type.Integer() }),
      ),
    }),
  ),
  versions: Type.Array(
    Type.Object({
      model: Type.String(),
      version: Type.String(),
      requests: Type.Integer(),
      error_rate: Type.Number(),
      client_error_rate: Type.Number(),
      latency_ms: Type.Object({
        p50: Type.Union([Type.Number(), Type.Null()]),
        p95: Type.Union([Type.Number(), Type.Null()]),
        p99: Type.Union([Type.Number(), Type.Null()]),
        max: Type.Union([Type.Number(), Type.Null()]),
      }),
    }),
  ),
});

/** `/metrics` for Prometheus and `/stats` for people. */
export const observabilityRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { observability, config } = services;

  app.get(
    '/metrics',
    {
      // Prometheus text exposition format; public only when configured (OWASP API9: a choice)
      config: config.metricsPublic ? {} : { scope: 'read' },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['observability'],
        produces: ['text/plain'],
        response: responses({
          200: {
            description: 'The metrics catalogue (docs/observability.md)',
            content: { 'text/plain': { schema: Type.String() } },
          },
        }),
      },
    },
    async (_req, reply) => {
      const { contentType, text } = await observability.exposition();
      return reply.type(contentType).send(text);
    },
  );

  app.get(
    '/stats',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Traffic per model version over a sliding window, loaded versions, uptime',
        tags: ['observability'],
        response: responses({ 200: StatsSchema }),
      },
    },
    async () => {
      const loaded = services.serving.loaded().filter((m) => !m.released);
      const readiness = services.serving.readiness().models;
      const names = new Set([...readiness.map((m) => m.name), ...loaded.map((m) => m.identity.model)]);
      return {
        uptime_seconds: Math.round((Date.now() - observability.startedAt) / 1000),
        window_seconds: config.statsWindowSeconds,
        models: [...names].sort().map((name) => {
          const r = readiness.find((m) => m.name === name);
          return {
            name,
            production: r?.version ?? null,
            state: r?.state ?? 'no-production',
            loaded_versions: loaded
              .filter((m) => m.identity.model === name)
              .map((m) => ({
                version: m.identity.version,
                artifact_sha256: m.identity.artifactSha256,
                in_flight: m.inFlight,
              })),
          };
        }),
        versions: observability.stats.snapshot(services.clock.nowMs(), config.statsWindowSeconds * 1000),
      };
    },
  );
};
