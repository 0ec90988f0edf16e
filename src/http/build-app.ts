import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppServices } from './app-services.js';
import './fastify-types.js';
import { AppError } from '../shared/errors.js';
import { registerAuthentication } from './authentication.js';
import {
  MethodIndex,
  registerLoadShedding,
  registerRequestLimits,
  registerCors,
  securityHeaders,
} from './hardening.js';
import { registerIdempotency } from './idempotency.js';
import { matchedRoute } from './matched-route.js';
import { recordProblem, toProblem } from './problem.js';
import { traceIdOf, type RequestSpan } from '../observability/tracing.js';
import { parseTrustedProxies } from '../shared/client-address.js';
import type { SpanScope } from '../shared/spans.js';
import type { InferenceTrace } from '../modules/serving/answer.js';
import { auditRoutes } from './routes/audit.js';
import { observabilityRoutes } from './routes/observability.js';
import { rolloutRoutes } from './routes/rollouts.js';
import { feedbackRoutes } from './routes/feedback.js';
import { qualityRoutes } from './routes/quality.js';
import { v2Routes } from './routes/v2.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { whoamiRoutes } from './routes/whoami.js';
import { consoleRoutes } from './routes/console.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { modelRoutes } from './routes/models.js';
import { predictRoutes } from './routes/predict.js';
import { registerRoutes } from './routes/register.js';
import { ProblemSchema } from './schemas.js';
import { registerOpenApi } from './openapi.js';

/** Every route the app serves and the scope it needs (null: public). */
export interface RouteInfo {
  method: string;
  url: string;
  scope: string | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeInventory: RouteInfo[];
  }
  interface FastifyRequest {
    /** This request's spans (null when tracing is off). */
    spans: SpanScope | null;
    /** The trace id for logs: this request's span's, or the caller's traceparent's. */
    traceId: string | null;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The Fastify application, without listening: tests drive it with `inject()`, main.ts listens.
 * Hooks run in the order they are added, and Fastify stops at the first that refuses, so they go
 * in the order of the cheapest refusal: response headers (every answer carries them, refusals
 * included), request id and trace, load shedding, the failed-authentication throttle,
 * authentication, then (route-level) rate limits per principal, body limits and validation.
 */
export async function buildApp(services: AppServices): Promise<FastifyInstance> {
  const { config } = services;
  const app = Fastify({
    // The cast fixes the instance's Logger type parameter to Fastify's default, which is what the
    // rest of the app (and FastifyInstance in signatures) expects; ESLint cannot see that effect.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: services.logger as FastifyBaseLogger,
    // one log line per request, written by our onResponse hook
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'req_id' }),
    bodyLimit: config.maxBodyBytes,
    requestTimeout: config.requestTimeoutMs,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    // the client address (failed-auth limits, logs): the last X-Forwarded-For hop not in this list
    trustProxy: parseTrustedProxies(config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON (and multipart for registration) only: any other body is a 415, not a string to validate
  app.removeContentTypeParser('text/plain');
  // a body of another type is refused; an empty one (a chunked POST with no body) is no body
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    const type = req.headers['content-type'];
    done(
      new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${type ? `content type ${type.slice(0, 100)} is` : 'a body without a content type is'} not accepted; send application/json`,
      ),
    );
  });
  setValidators(app);
  app.addSchema(ProblemSchema);
  app.decorateRequest('matchedRoute', null);
  app.decorateRequest('principal', null);
  app.decorateRequest('logFields', null);
  app.decorateRequest('inference', null);
  app.decorateRequest('spans', null);
  app.decorateRequest('traceId', null);
  const { metrics, tracing } = services.observability;

  // One callback hook for what every request needs first (a hook costs a call through Fastify's
  // hook runner, an async one a promise and a microtask too): the security headers, so every
  // answer carries them, refusals included; the request id; the trace context
  const headers = securityHeaders();
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', req.id);
    // draining after SIGTERM: each answer closes its connection, so a keep-alive client opens a
    // new one, which the load balancer sends to a replica that stays
    if (services.shuttingDown()) reply.header('connection', 'close');
    // trace context: a span when tracing is on; else the caller's trace id, for the log line
    const route = matchedRoute(req).pattern ?? 'unmatched';
    const span = tracing.enabled
      ? tracing.startRequest(`${req.method} ${route}`, req.headers, {
          'http.request.method': req.method,
          'http.route': route,
          'modelgate.request_id': String(req.id),
        })
      : undefined;
    if (span) {
      req.spans = span;
      req.traceId = span.traceId;
      reply.header('traceparent', span.traceparent());
    } else {
      const incoming = req.headers.traceparent;
      req.traceId = traceIdOf(typeof incoming === 'string' ? incoming : undefined) ?? null;
    }
    done();
  });
  await registerCors(app, config);

  await registerLoadShedding(app, config);
  registerAuthentication(app, {
    auth: services.auth,
    failures: services.failedAuth,
    clock: services.clock,
    maxFailuresPerMinute: config.rateLimitAuthFailuresPerMinute,
    failOpen: config.rateLimitFailOpen,
    onFailOpen: () => metrics.rateLimitFailOpen.inc({ limit: 'failed_auth' }),
  });

  app.addHook('onResponse', (req, reply, done) => {
    const status = reply.statusCode;
    const pattern = matchedRoute(req).pattern;
    const route = pattern ?? 'unmatched';
    const elapsedMs = reply.elapsedTime;
    services.observability.observeRequest(route, req.method, status, elapsedMs / 1000);
    services.observability.workerRequest?.inc();
    const trace = req.inference;
    if (trace) {
      const answer = Object.assign(trace, {
        status,
        latencyMs: elapsedMs,
        atMs: services.clock.nowMs(),
      });
      services.answers.notify(answer);
    }
    (req.spans as RequestSpan | null)?.end(status);
    const q = req.url.indexOf('?');
    const line: Record<string, unknown> = {
      method: req.method,
      route: pattern,
      path: q === -1 ? req.url : req.url.slice(0, q),
      status,
      ms: Math.round(elapsedMs * 100) / 100,
      principal: req.principal?.id,
    };
    if (req.traceId) line.trace_id = req.traceId;
    if (trace) addInferenceLogFields(line, trace, config.logPredictionInputs);
    if (req.logFields) Object.assign(line, req.logFields);
    if (status >= 500) req.log.error(line, 'request failed');
    else req.log.info(line, 'request');
    done();
  });

  app.setErrorHandler(async (err, req, reply) => {
    const problem = recordProblem(err, req, services);
    return reply
      .code(problem.status)
      .headers(problem.headers)
      .type('application/problem+json')
      .send(problem.body);
  });

  const methods = new MethodIndex();
  const inventory: RouteInfo[] = [];
  app.decorate('routeInventory', inventory);
  app.addHook('onRoute', (route) => {
    methods.add(route.method, route.url);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') inventory.push({ method, url: route.url, scope: route.config?.scope ?? null });
    }
  });
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = methods.allowed(path);
    if (allowed.length > 0) {
      const problem = toProblem(
        new AppError(
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
        ),
        req,
      );
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .type('application/problem+json')
        .send(problem.body);
    }
    const problem = toProblem(
      Object.assign(new Error(`no route for ${req.method} ${path}`), { statusCode: 404 }),
      req,
    );
    return reply.code(404).type('application/problem+json').send(problem.body);
  });

  await registerRequestLimits(app, config, services.sharedLimits);
  registerIdempotency(app, {
    store: services.idempotency,
    clock: services.clock,
    ttlSeconds: config.idempotencyTtlSeconds,
    onReplay: (route) => metrics.idempotencyReplays.inc({ route }),
  });

  // before the routes: the OpenAPI document collects them as they are added
  if (config.apiDocs) await registerOpenApi(app);
  const opts = { services };
  await app.register(healthRoutes, opts);
  // before the model routes: their examples in /docs (run in order against a demo) archive and
  // restore 1.1.0 before the promote example moves it
  await app.register(lifecycleRoutes, opts);
  await app.register(modelRoutes, opts);
  // multipart only in the scope of the one route that takes uploads: @fastify/multipart adds an
  // async onRequest hook (a 'close' listener on every response) and an async onResponse hook to
  // every route of its scope, and a multipart body sent anywhere else is a 415 like any other
  await app.register(async (uploads) => {
    await uploads.register(multipart, {
      preservePath: true,
      limits: { fileSize: config.maxArtifactBytes, files: 66, fields: 4, fieldSize: 1_048_576, parts: 70 },
    });
    await uploads.register(registerRoutes, opts);
  });
  await app.register(predictRoutes, opts);
  await app.register(keyRoutes, opts);
  await app.register(whoamiRoutes);
  await app.register(auditRoutes, opts);
  await app.register(observabilityRoutes, opts);
  await app.register(rolloutRoutes, opts);
  await app.register(feedbackRoutes, opts);
  await app.register(qualityRoutes, opts);
  await app.register(v2Routes, { ...opts, prefix: '/v2' });
  if (config.console) await app.register(consoleRoutes);
  return app;
}

/** An inference request's log fields: the version that answered, rows, prediction id. */
function addInferenceLogFields(
  line: Record<string, unknown>,
  trace: InferenceTrace,
  withInputs: boolean,
): void {
  if (trace.model === undefined) return;
  const answered = trace.answered;
  line.model = trace.model;
  line.version = trace.version;
  if (trace.protocol === 'v2') line.protocol = 'v2';
  if (answered?.predictionId) {
    line.instances = answered.predictions?.length;
    line.prediction_id = answered.predictionId;
    if (withInputs && answered.rows) line.inputs = answered.rows;
  }
}

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused); path and query
 * parameters arrive as strings, so they may be coerced ("10" → 10).
 */
function setValidators(app: FastifyInstance): void {
  const body = new Ajv({
    allErrors: true,
    coerceTypes: false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  const other = new Ajv({
    allErrors: true,
    coerceTypes: 'array',
    removeAdditional: false,
    useDefaults: true,
    strict: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : other).compile(schema));
}
