import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppServices } from '../app-services.js';
import { modelSummaryBody, versionDetailBody, versionSummaryBody } from '../mappers.js';
import {
  AliasBodySchema,
  AliasMoveResponseSchema,
  AliasParams,
  AliasesSchema,
  ModelDetailSchema,
  ModelParams,
  ModelSummarySchema,
  PromoteBodySchema,
  responses,
  RollbackBodySchema,
  VerifyResponseSchema,
  VersionDetailSchema,
  VersionParams,
} from '../schemas.js';

/** Reading the registry (scope `read`) and moving aliases (scope `admin`). */
export const modelRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { registry, serving } = services;
  const actor = (p: { id: string } | null) => ({ id: p?.id ?? 'anonymous' });

  app.get(
    '/v1/models',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'List models',
        tags: ['models'],
        response: responses({ 200: Type.Object({ models: Type.Array(ModelSummarySchema) }) }),
      },
    },
    async () => ({ models: (await registry.listModels()).map(modelSummaryBody) }),
  );

  app.get(
    '/v1/models/:name',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Show a model with its versions',
        tags: ['models'],
        params: ModelParams,
        response: responses({ 200: ModelDetailSchema }),
      },
    },
    async (req) => {
      const { summary, versions } = await registry.getModel(req.params.name);
      return { ...modelSummaryBody(summary), versions: versions.map(versionSummaryBody) };
    },
  );

  app.get(
    '/v1/models/:name/versions',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'List the versions of a model, newest first',
        tags: ['models'],
        params: ModelParams,
        response: responses({ 200: Type.Object({ versions: Type.Array(VersionDetailSchema) }) }),
      },
    },
    async (req) => {
      const [versions, aliases] = await Promise.all([
        registry.listVersions(req.params.name),
        registry.getAliases(req.params.name),
      ]);
      return {
        versions: versions.map((v) =>
          versionDetailBody(v, aliases, serving.cached(v.model, v.version) !== undefined),
        ),
      };
    },
  );

  app.get(
    '/v1/models/:name/versions/:version',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Show a model version',
        tags: ['models'],
        params: VersionParams,
        response: responses({ 200: VersionDetailSchema }),
      },
    },
    async (req) => {
      const v = await registry.getVersion(req.params.name, req.params.version);
      const aliases = await registry.getAliases(v.model);
      return versionDetailBody(v, aliases, serving.cached(v.model, v.version) !== undefined);
    },
  );

  app.post(
    '/v1/models/:name/promote',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: 'Make a version the production version (loaded and warmed before the switch)',
        tags: ['models'],
        params: ModelParams,
        body: PromoteBodySchema,
        response: responses({ 200: AliasMoveResponseSchema }),
      },
    },
    async (req) => {
      const { name } = req.params;
      const { version, override_reason } = req.body;
      const override = await services.promotion.enforce(name, version, 'promote', override_reason);
      const r = await registry.promote(name, version, actor(req.principal));
      if (override) await services.promotion.recordOverride(override, actor(req.principal));
      req.logFields = { model: name, version };
      return { model: req.params.name, ...r };
    },
  );

  app.post(
    '/v1/models/:name/rollback',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: 'Return production to the previous version (or to a named one)',
        tags: ['models'],
        params: ModelParams,
        body: Type.Optional(RollbackBodySchema),
        response: responses({ 200: AliasMoveResponseSchema }),
      },
    },
    async (req) => {
      // during a rollout, rolling back means: stop it, all traffic to stable at once
      const active = await services.rollouts.findActive(req.params.name);
      if (active && req.body?.to === undefined) {
        await services.rollouts.abort(active.id, actor(req.principal), 'rolled back by hand');
        const aliases = await registry.getAliases(req.params.name);
        req.logFields = { model: req.params.name, version: aliases.production ?? null };
        return { model: req.params.name, aliases, changed: false, rollout_aborted: active.id };
      }
      const r = await registry.rollback(req.params.name, actor(req.principal), req.body?.to);
      req.logFields = { model: req.params.name, version: r.aliases.production };
      return { model: req.params.name, ...r };
    },
  );

  app.put(
    '/v1/models/:name/aliases/:alias',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: 'Set or clear the staging alias',
        tags: ['models'],
        params: AliasParams,
        body: AliasBodySchema,
        response: responses({ 200: Type.Object({ model: Type.String(), aliases: AliasesSchema }) }),
      },
    },
    async (req) => {
      const aliases = await registry.setAlias(
        req.params.name,
        req.params.alias,
        req.body.version,
        actor(req.principal),
      );
      return { model: req.params.name, aliases };
    },
  );

  app.post(
    '/v1/models/:name/versions/:version/verify',
    {
      config: { scope: 'admin' },
      schema: {
        summary: "Re-hash a version's stored files against their registered SHA-256",
        tags: ['models'],
        params: VersionParams,
        response: responses({ 200: VerifyResponseSchema }),
      },
    },
    async (req) => {
      const r = await registry.verify(req.params.name, req.params.version);
      return {
        model: r.version.model,
        version: r.version.version,
        artifact_sha256: r.version.artifactSha256,
        ok: r.ok,
        files: r.files,
      };
    },
  );
};
