import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppServices } from '../app-services.js';
import { ModelParams, responses } from '../schemas.js';

const FeedbackBodySchema = Type.Object(
  {
    feedback: Type.Array(
      Type.Object(
        {
          prediction_id: Type.String({ minLength: 1, maxLength: 64 }),
          index: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
          label: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Number()])),
          value: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

const FeedbackResultSchema = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  unknown: Type.Array(
    Type.Object({ prediction_id: Type.String(), index: Type.Integer(), reason: Type.String() }),
  ),
});

const PerformanceSchema = Type.Object({
  model: Type.String(),
  versions: Type.Array(
    Type.Object({
      version: Type.String(),
      labelled: Type.Integer(),
      accuracy: Type.Union([Type.Number(), Type.Null()]),
      roc_auc: Type.Union([Type.Number(), Type.Null()]),
      mae: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
});

/** Ground truth for logged predictions, and the live performance it gives per version. */
export const feedbackRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.post(
    '/v1/models/:name/feedback',
    {
      config: { scope: 'predict', idempotent: 'body' },
      schema: {
        summary: 'Send ground truth (true labels or values) for logged predictions, by prediction_id',
        tags: ['feedback'],
        params: ModelParams,
        body: FeedbackBodySchema,
        response: responses({ 200: FeedbackResultSchema }),
      },
    },
    async (req) => {
      // a prediction queued a moment ago may not be in the database yet: the log answers from memory
      return services.feedback.submit(req.params.name, req.body.feedback, {
        id: req.principal?.id ?? 'anonymous',
      });
    },
  );

  app.get(
    '/v1/models/:name/performance',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Live performance per version (accuracy, ROC-AUC or MAE) from the feedback received',
        tags: ['feedback'],
        params: ModelParams,
        response: responses({ 200: PerformanceSchema }),
      },
    },
    async (req) => ({
      model: req.params.name,
      versions: await services.feedback.performance(req.params.name),
    }),
  );
};
