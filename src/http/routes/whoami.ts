import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { hasScope, SCOPES } from '../../modules/security/scopes.js';
import { responses, ScopeSchema } from '../schemas.js';

export const WhoamiSchema = Type.Object({
  id: Type.String({ description: 'the principal as the audit log names it, e.g. `key:Ab12Cd34Ef56`' }),
  name: Type.String({ description: "the key's name, or the token's subject" }),
  kind: Type.Union([Type.Literal('api_key'), Type.Literal('jwt')]),
  scopes: Type.Array(ScopeSchema, { description: 'the scopes granted to the credential' }),
  effective_scopes: Type.Array(ScopeSchema, {
    description: 'what the credential may do: its scopes, and every scope when it has `admin`',
  }),
});
export type WhoamiBody = Static<typeof WhoamiSchema>;

/**
 * Who the caller is and what it may do: a client (the web console) shows only the actions its
 * credential allows. Any valid credential may ask; the API still checks every call.
 */
export const whoamiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v1/whoami',
    {
      config: { scope: 'any' },
      schema: {
        summary: "The caller's principal and scopes",
        tags: ['keys'],
        response: responses({ 200: WhoamiSchema }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      void reply.header('cache-control', 'no-store');
      return {
        id: p.id,
        name: p.name,
        kind: p.id.startsWith('jwt:') ? ('jwt' as const) : ('api_key' as const),
        scopes: [...p.scopes],
        effective_scopes: SCOPES.filter((s) => hasScope(p, s)),
      };
    },
  );
};
