import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { PredictResult } from '../../modules/serving/predict-service.js';
import type { AppServices } from '../app-services.js';
import {
  ModelParams,
  PredictResponseSchema,
  predictBodySchema,
  responses,
  VersionParams,
  type PredictResponse,
} from '../schemas.js';

function toBody(r: PredictResult): PredictResponse {
  return {
    model: r.model,
    version: r.version,
    artifact_sha256: r.artifactSha256,
    prediction_id: r.predictionId,
    predictions: r.predictions,
  };
}

/** Native predict API: the production version, or a pinned version. */
export const predictRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const body = predictBodySchema(services.config.maxInstancesPerRequest);

  app.post(
    '/v1/models/:name/predict',
    {
      config: { scope: 'predict', idempotent: 'body' },
      schema: {
        summary: 'Predict with the production version',
        tags: ['predict'],
        params: ModelParams,
        body,
        response: responses({ 200: PredictResponseSchema }),
      },
    },
    async (req) => {
      const result = await services.predict.predict({
        model: req.params.name,
        instances: req.body.instances,
        ...(req.spans ? { spans: req.spans } : {}),
        onVersion: (model, version) => (req.logFields = { model, version }),
      });
      req.logFields = {
        model: result.model,
        version: result.version,
        instances: result.predictions.length,
        prediction_id: result.predictionId,
        ...(services.config.logPredictionInputs ? { inputs: req.body.instances } : {}),
      };
      return toBody(result);
    },
  );

  app.post(
    '/v1/models/:name/versions/:version/predict',
    {
      config: { scope: 'predict', idempotent: 'body' },
      schema: {
        summary: 'Predict with a pinned version (bypasses rollout routing)',
        tags: ['predict'],
        params: VersionParams,
        body,
        response: responses({ 200: PredictResponseSchema }),
      },
    },
    async (req) => {
      const result = await services.predict.predict({
        model: req.params.name,
        version: req.params.version,
        instances: req.body.instances,
        ...(req.spans ? { spans: req.spans } : {}),
        onVersion: (model, version) => (req.logFields = { model, version }),
      });
      req.logFields = {
        model: result.model,
        version: result.version,
        instances: result.predictions.length,
        prediction_id: result.predictionId,
        ...(services.config.logPredictionInputs ? { inputs: req.body.instances } : {}),
      };
      return toBody(result);
    },
  );
};
