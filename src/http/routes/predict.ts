import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasScope } from '../../modules/security/scopes.js';
import type { Variant } from '../../modules/serving/predict-service.js';
import { AppError } from '../../shared/errors.js';
import { newTrace } from '../../modules/serving/answer.js';
import type { PredictRequest, PredictResult } from '../../modules/serving/predict-service.js';
import type { AppServices } from '../app-services.js';
import { markDeprecated } from '../deprecation-headers.js';
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
    ...(r.variant ? { variant: r.variant } : {}),
  };
}

/**
 * Runs a predict request and shapes the answer. What happened goes on the request's trace; the
 * data plane's observers (metrics, stats, rollout windows, prediction log, drift) read it after
 * the answer was sent.
 */
async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  services: AppServices,
  input: Omit<PredictRequest, 'spans' | 'trace'>,
): Promise<PredictResponse> {
  const trace = (req.inference = newTrace('native'));
  const result = await services.predict.predict({
    ...input,
    ...(req.spans ? { spans: req.spans } : {}),
    trace,
  });
  trace.answered = {
    predictionId: result.predictionId,
    rows: input.instances,
    predictions: result.predictions,
    ...(result.variant ? { variant: result.variant } : {}),
    ...(result.rolloutId ? { rolloutId: result.rolloutId } : {}),
  };
  if (result.variant) void reply.header('x-modelgate-variant', result.variant);
  markDeprecated(services.lifecycle, req, reply, result.model, result.version);
  writeWithJsonStringify(reply);
  return toBody(result);
}

/**
 * Has an inference answer written by JSON.stringify, not by the route's compiled response
 * serializer. The predict and V2 routes build exactly their schema's fields in its order (tests
 * hold them to that), and fast-json-stringify wrote a record of probabilities key by key, each key
 * tested against a pattern, and a V2 output's data value by value: on 1,000-row answers 20% of the
 * request's CPU and most of its garbage. A custom serializer sets no content type.
 */
export function writeWithJsonStringify(reply: FastifyReply): void {
  void reply.type('application/json; charset=utf-8').serializer(JSON.stringify);
}

const ROUTING_HEADER = 'x-routing-key';
const OVERRIDE_HEADER = 'x-modelgate-variant-override';

/**
 * Routing key (the header wins over the body's field: `routing_key` natively, V2's
 * `parameters.routing_key`) and the admin-only variant override. Shared by the native and V2 routes.
 */
export function rolloutInputs(
  req: FastifyRequest,
  bodyKey: string | undefined,
): {
  routingKey?: string;
  override?: Variant;
} {
  const header = req.headers[ROUTING_HEADER];
  const routingKey = typeof header === 'string' && header.length > 0 ? header.slice(0, 256) : bodyKey;
  const o = req.headers[OVERRIDE_HEADER];
  let override: Variant | undefined;
  if (o !== undefined) {
    if (o !== 'stable' && o !== 'candidate') {
      throw new AppError('VALIDATION_FAILED', `${OVERRIDE_HEADER} must be 'stable' or 'candidate'`, {
        errors: [{ pointer: '', detail: `header ${OVERRIDE_HEADER} must be stable or candidate` }],
      });
    }
    if (!req.principal || !hasScope(req.principal, 'admin')) {
      throw new AppError('FORBIDDEN', `${OVERRIDE_HEADER} needs the 'admin' scope`);
    }
    override = o;
  }
  return { ...(routingKey !== undefined ? { routingKey } : {}), ...(override ? { override } : {}) };
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
      config: { scope: 'predict', idempotent: 'body', inference: true },
      schema: {
        summary: 'Predict with the production version',
        tags: ['predict'],
        params: ModelParams,
        body,
        response: responses({ 200: PredictResponseSchema }),
      },
    },
    async (req, reply) =>
      answer(req, reply, services, {
        model: req.params.name,
        instances: req.body.instances,
        ...rolloutInputs(req, req.body.routing_key),
      }),
  );

  app.post(
    '/v1/models/:name/versions/:version/predict',
    {
      config: { scope: 'predict', idempotent: 'body', inference: true },
      schema: {
        summary: 'Predict with a pinned version (bypasses rollout routing)',
        tags: ['predict'],
        params: VersionParams,
        body,
        response: responses({ 200: PredictResponseSchema }),
      },
    },
    async (req, reply) =>
      answer(req, reply, services, {
        model: req.params.name,
        version: req.params.version,
        instances: req.body.instances,
      }),
  );
};
