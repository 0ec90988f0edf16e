import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoadedModel } from '../../modules/serving/loaded-model.js';
import { decodeInputs, encodeOutput, v2Metadata } from '../../modules/serving/v2-tensors.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import type { AppServices } from '../app-services.js';
import { recordProblem } from '../problem.js';
import { ModelNameParam, VersionParam } from '../schemas.js';

const ModelParams = Type.Object({ name: ModelNameParam });
const VersionParams = Type.Object({ name: ModelNameParam, version: VersionParam });

const Tensor = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    shape: Type.Array(Type.Integer({ minimum: 0, maximum: 100_000_000 }), { maxItems: 16 }),
    datatype: Type.String({ minLength: 1, maxLength: 16 }),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    data: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);
const InferBody = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 256 })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    inputs: Type.Array(Tensor, { minItems: 1, maxItems: 64 }),
    outputs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { additionalProperties: false },
        ),
        { maxItems: 64 },
      ),
    ),
  },
  { additionalProperties: false },
);

/**
 * The Open Inference Protocol (V2) REST API beside the native one: health, server and model
 * metadata, model readiness, tensor inference. Errors use the protocol's `{"error": "..."}` body
 * with its status codes. Authentication, rate limits, idempotency and HTTP metrics are the same
 * hooks as the native API (model routes need the `predict` scope).
 */
export const v2Routes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  app.setErrorHandler(async (err, req, reply) => {
    const problem = recordProblem(err, req, services);
    // the protocol answers a request that does not fit with 400, where the native API uses 422
    const status = problem.status === 422 ? 400 : problem.status;
    return reply.code(status).headers(problem.headers).send({ error: problem.body.detail });
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).send({ error: `no route for ${req.method} ${req.url.split('?')[0]}` }),
  );

  app.get('/health/live', async () => ({ live: true }));
  app.get('/health/ready', async (_req, reply) => {
    const ready = services.serving.readiness().ready && !services.shuttingDown();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  const serverMetadata = async () => ({ name: 'modelgate', version: VERSION, extensions: [] as string[] });
  app.get('/', serverMetadata);

  const metadata = async (name: string, version: string | undefined) => {
    const model = await services.predict.resolve(name, version);
    const versions = (await services.registry.listVersions(name)).map((v) => v.version);
    const { inputs, outputs } = model.tensorMetadata();
    return {
      name,
      versions,
      platform: 'onnxruntime_onnx',
      inputs: v2Metadata(inputs),
      outputs: v2Metadata(outputs),
    };
  };
  const scoped = { config: { scope: 'predict' as const } };
  app.get('/models/:name', { ...scoped, schema: { params: ModelParams } }, async (req) =>
    metadata(req.params.name, undefined),
  );
  app.get('/models/:name/versions/:version', { ...scoped, schema: { params: VersionParams } }, async (req) =>
    metadata(req.params.name, req.params.version),
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
  app.get('/models/:name/ready', { ...scoped, schema: { params: ModelParams } }, async (req, reply) =>
    ready(reply, req.params.name, undefined),
  );
  app.get(
    '/models/:name/versions/:version/ready',
    { ...scoped, schema: { params: VersionParams } },
    async (req, reply) => ready(reply, req.params.name, req.params.version),
  );

  const infer = async (
    req: FastifyRequest,
    name: string,
    version: string | undefined,
    body: typeof InferBody.static,
  ) => {
    const model: LoadedModel = await services.predict.resolve(name, version);
    req.logFields = { model: model.identity.model, version: model.identity.version, protocol: 'v2' };
    const { inputs, outputs } = model.tensorMetadata();
    const feeds = decodeInputs(body.inputs, v2Metadata(inputs));
    const available = outputs.map((o) => o.name);
    const wanted = body.outputs?.map((o) => o.name) ?? outputs.filter((o) => o.isTensor).map((o) => o.name);
    const unknown = wanted.filter((n) => !available.includes(n));
    if (unknown.length > 0) {
      throw new AppError(
        'V2_BAD_REQUEST',
        `unknown output ${unknown.join(', ')}; the model's outputs are ${available.join(', ')}`,
      );
    }
    const { outputs: values } = await model.runTensors(feeds, wanted, services.config.inferenceTimeoutMs);
    return {
      model_name: model.identity.model,
      model_version: model.identity.version,
      ...(body.id !== undefined ? { id: body.id } : {}),
      outputs: wanted.map((n) => encodeOutput(n, values[n]!)),
    };
  };
  const inferConfig = { config: { scope: 'predict' as const, idempotent: 'body' as const } };
  app.post(
    '/models/:name/infer',
    { ...inferConfig, schema: { params: ModelParams, body: InferBody } },
    async (req) => infer(req, req.params.name, undefined, req.body),
  );
  app.post(
    '/models/:name/versions/:version/infer',
    { ...inferConfig, schema: { params: VersionParams, body: InferBody } },
    async (req) => infer(req, req.params.name, req.params.version, req.body),
  );
};
