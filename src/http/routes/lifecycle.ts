import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppServices } from '../app-services.js';
import {
  gcBody,
  GcBodySchema,
  GcResponseSchema,
  lifecycleBody,
  LifecycleBodySchema,
  LifecycleResponseSchema,
} from '../lifecycle-schemas.js';
import { responses, VersionParams } from '../schemas.js';

const TRANSITIONS = {
  deprecate: 'Deprecate a version: it still serves, and every answer carries a Deprecation header',
  archive:
    'Archive a version: it can no longer be promoted, staged or rolled out, and its artifact may be garbage-collected',
  restore: 'Make a deprecated or archived version active again (not once its artifact was collected)',
} as const;

/** Version lifecycle (scope `admin`): deprecate, archive, restore, and the artifact garbage collector. */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const actor = (p: { id: string } | null) => ({ id: p?.id ?? 'anonymous' });

  for (const [transition, summary] of Object.entries(TRANSITIONS) as Array<
    [keyof typeof TRANSITIONS, string]
  >) {
    app.post(
      `/v1/models/:name/versions/:version/${transition}`,
      {
        config: { scope: 'admin', idempotent: 'body' },
        schema: {
          summary,
          tags: ['models'],
          params: VersionParams,
          body: LifecycleBodySchema,
          response: responses({ 200: LifecycleResponseSchema }),
        },
      },
      async (req) => {
        const { name, version } = req.params;
        const r = await services.lifecycle[transition](name, version, req.body.reason, actor(req.principal));
        req.logFields = { model: name, version, lifecycle: r.version.lifecycle.state };
        return { model: name, version, changed: r.changed, lifecycle: lifecycleBody(r.version) };
      },
    );
  }

  app.post(
    '/v1/admin/gc',
    {
      config: { scope: 'admin' },
      schema: {
        summary:
          'Garbage-collect the artifacts of versions archived longer than older_than_seconds (a dry run unless apply is true)',
        tags: ['models'],
        body: GcBodySchema,
        response: responses({ 200: GcResponseSchema }),
      },
    },
    async (req) => {
      const r = await services.collector.collect({
        olderThanMs: (req.body.older_than_seconds ?? 30 * 24 * 3600) * 1000,
        apply: req.body.apply ?? false,
        actor: actor(req.principal),
      });
      req.logFields = { gc_applied: r.applied, gc_versions: r.versions.length, gc_bytes: r.bytes };
      return gcBody(r);
    },
  );
};
