import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedModel } from '../../modules/serving/loaded-model.js';
import { decodeInputs, encodeOutput } from '../../modules/serving/v2-tensors.js';
import { newTrace } from '../../modules/serving/answer.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import type { AppServices } from '../app-services.js';
import { markDeprecated } from '../deprecation-headers.js';
import { recordProblem } from '../problem.js';
import { ModelNameParam, VersionParam } from '../schemas.js';
import { rolloutInputs, writeWithJsonStringify } from './predict.js';
import {
  V2ErrorSchema,
  V2InferRequestSchema,
  V2InferResponseSchema,
  V2LiveSchema,
  V2ModelMetadataSchema,
  V2ModelReadySchema,
  v2Responses,
  V2ServerMetadataSchema,
  V2ServerReadySchema,
  type V2InferRequest,
} from '../v2-schemas.js';

const ModelParams = Type.Object({ name: ModelNameParam });
const VersionParams = Type.Object({ name: ModelNameParam, version: VersionParam });

/** The outputs to fetch: the requested ones (each must exist), or every tensor output. */
function outputNames(model: LoadedModel, requested: string[] | undefined): string[] {
  const tensors = model.v2Tensors().outputs.map((o) => o.name);
  if (tensors.length === 0)
    throw new AppError('V2_BAD_REQUEST', `${model.key} has no tensor outputs; use the native predict API`);
  if (!requested) return tensors;
  for (const n of requested) {
    if (tensors.includes(n)) continue;
    throw new AppError(
      'V2_BAD_REQUEST',
      model.tensorMetadata().outputs.some((o) => o.name === n)
        ? `output ${n} is not a tensor and cannot be returned by the V2 protocol; request one of ${tensors.join(', ')}`
        : `unknown output ${n}; the model's tensor outputs are ${tensors.join(', ')}`,
    );
  }
  return requested;
}

/**
 * The Open Inference Protocol (V2) REST API beside the native one: health, server and model
 * metadata, model readiness, tensor inference. Errors use the protocol's `{"error": "..."}` body
 * with its status codes. Authentication, rate limits, idempotency and HTTP metrics are the same
 * hooks as the native API (model routes need the `predict` scope).
 */
export const v2Routes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.addSchema(V2ErrorSchema);
  app.setErrorHandler(async (err, req, reply) => {
    const problem = recordProblem(err, req, services);
    // the protocol answers a request that does not fit with 400, where the native API uses 422
    const status = problem.status === 422 ? 400 : problem.status;
    // the protocol's body has no room for our stable code: it travels in a header
    return reply
      .code(status)
      .headers({ ...problem.headers, 'x-modelgate-error-code': problem.body.code })
      .send({ error: problem.body.detail });
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({ error: `no route for ${req.method} ${req.url.split('?')[0]}` }),
  );

  const doc = <T extends object>(summary: string, extra: T) => ({ summary, tags: ['v2'], ...extra });
  app.get(
    '/health/live',
    { schema: doc('V2: server live', { response: v2Responses({ 200: V2LiveSchema }) }) },
    async () => ({ live: true }),
  );
  app.get(
    '/health/ready',
    {
      schema: doc('V2: server ready (every production model loaded)', {
        response: v2Responses({ 200: V2ServerReadySchema, 503: V2ServerReadySchema }),
      }),
    },
    async (_req, reply) => {
      // a database outage leaves a running replica ready, as /ready does (ADR 0009, revised)
      const ready = services.serving.readiness().ready && !services.shuttingDown();
      return reply.code(ready ? 200 : 503).send({ ready });
    },
  );
  app.get(
    '/',
    { schema: doc('V2: server metadata', { response: v2Responses({ 200: V2ServerMetadataSchema }) }) },
    async () => ({ name: 'modelgate', version: VERSION, extensions: [] as string[] }),
  );

  const metadata = async (name: string, version: string | undefined) => {
    const model = await services.predict.resolve(name, version);
    const versions = (await services.registry.listVersions(name)).map((v) => v.version);
    return { name, versions, platform: 'onnxruntime_onnx', ...model.v2Tensors() };
  };
  const scoped = { config: { scope: 'predict' as const } };
  const metadataResponse = v2Responses({ 200: V2ModelMetadataSchema });
  app.get(
    '/models/:name',
    {
      ...scoped,
      schema: doc('V2: model metadata (production version)', {
        params: ModelParams,
        response: metadataResponse,
      }),
    },
    async (req) => metadata(req.params.name, undefined),
  );
  app.get(
    '/models/:name/versions/:version',
    {
      ...scoped,
      schema: doc('V2: model metadata of a version', { params: VersionParams, response: metadataResponse }),
    },
    async (req) => metadata(req.params.name, req.params.version),
  );

  const ready = async (reply: FastifyReply, name: string, version: string | undefined) => {
    try {
      const model = await services.predict.resolve(name, version);
      return reply.send({ name, version: model.identity.version, ready: true });
    } catch (err) {
      if (isAppError(err) && err.code === 'MODEL_NOT_READY')
        return reply.code(503).send({ name, ready: false });
      throw err;
    }
  };
  const readyResponse = v2Responses({ 200: V2ModelReadySchema, 503: V2ModelReadySchema });
  app.get(
    '/models/:name/ready',
    {
      ...scoped,
      schema: doc('V2: model ready (production version)', { params: ModelParams, response: readyResponse }),
    },
    async (req, reply) => ready(reply, req.params.name, undefined),
  );
  app.get(
    '/models/:name/versions/:version/ready',
    {
      ...scoped,
      schema: doc('V2: version ready', { params: VersionParams, response: readyResponse }),
    },
    async (req, reply) => ready(reply, req.params.name, req.params.version),
  );

  const infer = async (
    req: FastifyRequest,
    reply: FastifyReply,
    name: string,
    version: string | undefined,
    body: V2InferRequest,
  ) => {
    const requested = body.outputs?.map((o) => o.name);
    const routingKey = body.parameters?.routing_key;
    const trace = (req.inference = newTrace('v2'));
    const r = await services.predict.infer({
      model: name,
      ...(version !== undefined ? { version } : {}),
      ...rolloutInputs(req, typeof routingKey === 'string' ? routingKey.slice(0, 256) : undefined),
      ...(req.spans ? { spans: req.spans } : {}),
      rows: body.inputs[0]?.shape[0] ?? 0,
      trace,
      decode: (model) => ({
        feeds: decodeInputs(body.inputs, model.v2Tensors().inputs),
        fetches: outputNames(model, requested),
      }),
      wantsRecords: ({ identity }) => services.drift.wants(identity.model, identity.version),
    });
    const { identity } = r.model;
    trace.answered = {
      ...(r.records ? { rows: r.records.rows, predictions: r.records.predictions } : {}),
      ...(r.variant ? { variant: r.variant } : {}),
      ...(r.rolloutId ? { rolloutId: r.rolloutId } : {}),
    };
    if (r.variant) void reply.header('x-modelgate-variant', r.variant);
    markDeprecated(services.lifecycle, req, reply, identity.model, identity.version);
    writeWithJsonStringify(reply);
    return {
      model_name: identity.model,
      model_version: identity.version,
      ...(body.id !== undefined ? { id: body.id } : {}),
      parameters: { artifact_sha256: identity.artifactSha256, ...(r.variant ? { variant: r.variant } : {}) },
      outputs: r.outputs.map(([n, value]) => encodeOutput(n, value)),
    };
  };
  const inferResponse = v2Responses({ 200: V2InferResponseSchema });
  const inferConfig = {
    config: { scope: 'predict' as const, idempotent: 'body' as const, inference: true },
  };
  app.post(
    '/models/:name/infer',
    {
      ...inferConfig,
      schema: doc('V2: inference (rollout routing picks the version)', {
        params: ModelParams,
        body: V2InferRequestSchema,
        response: inferResponse,
      }),
    },
    async (req, reply) => infer(req, reply, req.params.name, undefined, req.body),
  );
  app.post(
    '/models/:name/versions/:version/infer',
    {
      ...inferConfig,
      schema: doc('V2: inference on a version', {
        params: VersionParams,
        body: V2InferRequestSchema,
        response: inferResponse,
      }),
    },
    async (req, reply) => infer(req, reply, req.params.name, req.params.version, req.body),
  );
};
