import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppServices } from '../app-services.js';
import { HealthSchema, ReadySchema, responses } from '../schemas.js';

/**
 * Liveness (`/health`: the process answers) and readiness (`/ready`: every production model is
 * loaded and warmed, the database is not known to be unreachable, and the server is not shutting
 * down). Public: they reveal no secrets.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const started = performance.now();

  app.get(
    '/health',
    { schema: { summary: 'Liveness', tags: ['health'], response: responses({ 200: HealthSchema }) } },
    async () => ({
      status: 'ok' as const,
      uptime_seconds: Math.round((performance.now() - started) / 1000),
    }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: production models loaded and warmed',
        tags: ['health'],
        response: responses({ 200: ReadySchema, 503: ReadySchema }),
      },
    },
    async (_req, reply) => {
      const r = services.serving.readiness();
      const database = services.database.unavailable();
      const reason = services.shuttingDown() ? 'shutting down' : database;
      const ready = r.ready && reason === undefined;
      return reply.code(ready ? 200 : 503).send({ ready, models: r.models, ...(reason ? { reason } : {}) });
    },
  );
};
