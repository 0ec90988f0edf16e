import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppServices } from '../app-services.js';
import { Type } from '@sinclair/typebox';
import type { Evaluation } from '../../modules/quality/evaluation-store.js';
import { modelCardData } from '../../modules/reports/model-card-data.js';
import { renderModelCardHtml, renderModelCardMarkdown } from '../../modules/reports/model-card.js';
import {
  CardQuerySchema,
  DriftQuerySchema,
  DriftReportSchema,
  EvaluateQuerySchema,
  EvaluationSchema,
  ModelCardSchema,
  ReadinessSchema,
  type EvaluationBody,
  type ModelCardBody,
} from '../quality-schemas.js';
import { ModelParams, responses, VersionParams } from '../schemas.js';
import { AppError } from '../../shared/errors.js';

const evaluationBody = (e: Evaluation): EvaluationBody => ({
  id: e.id,
  model: e.model,
  version: e.version,
  data_sha256: e.dataSha256,
  data_name: e.dataName,
  label_column: e.labelColumn,
  rows: e.rows,
  metrics: e.metrics,
  created_at: e.createdAt,
  created_by: e.createdBy,
});

/** Cards are complete HTML pages with inline styles and nothing else. */
const CARD_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** Model quality: drift against the reference profile, evaluations, model cards. */
export const qualityRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.get(
    '/v1/models/:name/drift',
    {
      config: { scope: 'read' },
      schema: {
        summary: "Drift of a version's live traffic against its reference profile (production by default)",
        tags: ['quality'],
        params: ModelParams,
        querystring: DriftQuerySchema,
        response: responses({ 200: DriftReportSchema }),
      },
    },
    async (req) => {
      const { name } = req.params;
      let version = req.query.version;
      if (version === undefined) {
        version = (await services.registry.getAliases(name)).production;
        if (!version)
          throw new AppError(
            'MODEL_NOT_READY',
            `model '${name}' has no production version; name one with ?version=`,
          );
      } else {
        await services.registry.getVersion(name, version);
      }
      req.logFields = { model: name, version };
      return services.drift.report(name, version);
    },
  );

  // CSV bodies, for evaluations only (this plugin's routes): read as text; the route's bodyLimit
  // (maxDataBytes) applies, a parser's own limit never does in Fastify
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/v1/models/:name/versions/:version/evaluations',
    {
      config: {
        scope: 'admin',
        documentedBody: {
          type: 'string',
          description: 'CSV with a header row: the features and the label column',
        },
      },
      bodyLimit: services.config.maxDataBytes,
      schema: {
        summary: 'Evaluate a version over labelled data (text/csv) and record its metrics with the data hash',
        tags: ['quality'],
        consumes: ['text/csv'],
        params: VersionParams,
        querystring: EvaluateQuerySchema,
        response: responses({ 201: EvaluationSchema }),
      },
    },
    async (req, reply) => {
      if (typeof req.body !== 'string')
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the labelled data as text/csv');
      const e = await services.evaluations.evaluate({
        model: req.params.name,
        version: req.params.version,
        csv: req.body,
        labelColumn: req.query.label,
        ...(req.query.data_name ? { dataName: req.query.data_name } : {}),
        actor: { id: req.principal?.id ?? 'anonymous' },
      });
      req.logFields = { model: e.model, version: e.version, evaluation: e.id };
      return reply.code(201).send(evaluationBody(e));
    },
  );

  app.get(
    '/v1/models/:name/versions/:version/evaluations',
    {
      config: { scope: 'read' },
      schema: {
        summary: "A version's recorded evaluations, newest first",
        tags: ['quality'],
        params: VersionParams,
        response: responses({ 200: Type.Object({ evaluations: Type.Array(EvaluationSchema) }) }),
      },
    },
    async (req) => ({
      evaluations: (await services.evaluations.list(req.params.name, req.params.version)).map(evaluationBody),
    }),
  );

  app.get(
    '/v1/models/:name/versions/:version/readiness',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'Deployment readiness (go/no-go): hash verified, smoke tests, promotion policy, drift reference, model card, labels, rollback target, deployment window',
        tags: ['quality'],
        params: VersionParams,
        response: responses({ 200: ReadinessSchema }),
      },
    },
    async (req) => {
      const { name, version } = req.params;
      req.logFields = { model: name, version };
      return services.readiness.assess(name, version);
    },
  );

  app.get(
    '/v1/models/:name/versions/:version/card',
    {
      config: { scope: 'read' },
      schema: {
        summary:
          'Model card (Markdown, HTML, or its fields as JSON) from the manifest, evaluations and reference profile',
        tags: ['quality'],
        params: VersionParams,
        querystring: CardQuerySchema,
        produces: ['text/markdown', 'text/html', 'application/json'],
        response: responses({
          200: {
            description: 'The card',
            content: {
              'text/markdown': { schema: Type.String() },
              'text/html': { schema: Type.String() },
              'application/json': { schema: ModelCardSchema },
            },
          },
        }),
      },
    },
    async (req, reply) => {
      const { name, version } = req.params;
      const v = await services.registry.getVersion(name, version);
      const [aliases, evaluations, reference, readiness] = await Promise.all([
        services.registry.getAliases(name),
        services.evaluations.list(name, version),
        services.registry.getReference(name, version),
        services.readiness.assess(name, version),
      ]);
      const card = {
        ...modelCardData(v, aliases, evaluations, reference),
        readiness: { go: readiness.go, checks: readiness.checks },
      };
      req.logFields = { model: name, version };
      if (req.query.format === 'json') {
        const body: ModelCardBody = card;
        return reply.type('application/json; charset=utf-8').send(body);
      }
      if (req.query.format === 'html') {
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', CARD_CSP)
          .send(renderModelCardHtml(card));
      }
      return reply.type('text/markdown; charset=utf-8').send(renderModelCardMarkdown(card));
    },
  );
};
