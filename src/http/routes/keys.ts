import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppServices } from '../app-services.js';
import { keyBody } from '../mappers.js';
import { CreatedKeySchema, CreateKeyBodySchema, KeyListSchema, KeySchema, responses } from '../schemas.js';

/** API key management (scope `admin`). The full key appears in exactly one response: creation. */
export const keyRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.post(
    '/v1/keys',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: 'Create an API key (the key is shown once)',
        tags: ['keys'],
        body: CreateKeyBodySchema,
        response: responses({ 201: CreatedKeySchema }),
      },
    },
    async (req, reply) => {
      const { record, key } = await services.keys.create(req.body.name, req.body.scopes, {
        id: req.principal!.id,
      });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...keyBody(record), key });
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'List API keys (never their secrets)',
        tags: ['keys'],
        response: responses({ 200: KeyListSchema }),
      },
    },
    async () => ({ keys: (await services.keys.list()).map(keyBody) }),
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: 'Revoke an API key; it stops working at once',
        tags: ['keys'],
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9]{8,32}$' }) }),
        response: responses({ 200: KeySchema }),
      },
    },
    async (req) => keyBody(await services.keys.revoke(req.params.id, { id: req.principal!.id })),
  );
};
