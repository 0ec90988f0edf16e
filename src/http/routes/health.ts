import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppServices } from '../app-services.js';
import { HealthSchema, ReadySchema, responses } from '../schemas.js';

/**
 * Liveness (`/health`: the process answers) and readiness (`/ready`: every production model is
 * loaded and warmed, and the server is not shutting down). Public: they reveal no secrets.
 *
 * A database outage does not make a running replica unready (ADR 0009, revised): every replica
 * shares the one database, so an unready-on-database-down rule would take all of them out of the
 * load balancer at once, while each can still serve predictions from its loaded models and cached
 * keys. The body says `database: "unavailable"` meanwhile, and admin calls answer 503
 * DATABASE_UNAVAILABLE. Only a replica that has not started yet (the bootstrap listener) is unready.
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
      // a running replica stays ready while the database is down (ADR 0009, revised): only a
      // shutdown (drain) or a production model that does not serve takes it out of rotation
      const shutting = services.shuttingDown();
      const ready = r.ready && !shutting;
      return reply.code(ready ? 200 : 503).send({
        ready,
        models: r.models,
        database: database === undefined ? ('available' as const) : ('unavailable' as const),
        ...(database ? { database_reason: database } : {}),
        ...(shutting ? { reason: 'shutting down' } : {}),
      });
    },
  );
};
