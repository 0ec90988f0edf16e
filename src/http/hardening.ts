import cors from '@fastify/cors';
import helmet, { type HelmetOptions } from 'helmet';
import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config-schema.js';
import type { RouteScope } from '../modules/security/scopes.js';
import { AppError } from '../shared/errors.js';
import type { WindowCounter } from '../store/window-counter.js';
import { findForbiddenKey, type ForbiddenKey } from './forbidden-json-key.js';
import { matchedRoute } from './matched-route.js';
import { checkParsedJson, fewContainers, jsonLimitProblem } from './json-limits.js';
import { parseOrUndefined, parsePlainJson } from './plain-json.js';

// The protections every request passes, in the order of the cheapest refusal (buildApp calls them
// around authentication): response headers first, so every answer carries them, refusals
// included; load shedding, before any credential is checked; after authentication, body limits
// and rate limits per principal and route class.

/**
 * helmet's security headers. They do not depend on the request: computed once, and set on every
 * answer by buildApp's first onRequest hook, so refusals carry them too.
 */
export function securityHeaders(): Record<string, string> {
  return helmetHeaders({
    // an API answers JSON: nothing may be loaded or framed from its responses. Only these two
    // directives (OWASP's REST cheat sheet), not merged into helmet's defaults for HTML pages
    // (script-src, style-src 'unsafe-inline', upgrade-insecure-requests…), which said nothing more
    // under default-src 'none' and cost 330 bytes on every answer. The HTML pages (console, /docs,
    // model cards) set their own policy.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/** CORS: off unless an allow-list is configured. */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const origins = config.corsOrigins
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    await app.register(cors, {
      origin: origins,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'x-api-key'],
      exposedHeaders: [
        'x-request-id',
        'idempotent-replayed',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
      ],
      maxAge: 600,
    });
  }
}

/** Sheds inference under pressure (503 OVERLOADED), before its credentials cost anything. */
/** How often under-pressure samples the event-loop delay and memory (its default). */
const SHED_SAMPLE_INTERVAL_MS = 1000;

export async function registerLoadShedding(app: FastifyInstance, config: Config): Promise<void> {
  if (config.loadShedEventLoopDelayMs > 0 || config.loadShedMaxRssBytes > 0) {
    // The sampler's first readings after start measure the start itself: loading and warming
    // models blocks the event loop before the server listens, and an interval with no sample
    // reads as an infinite delay. Nothing is shed until two sample intervals of serving have
    // passed, or a freshly started replica would refuse its first requests as overloaded.
    let servingSince = Infinity;
    const started = () => void (servingSince = Date.now());
    app.addHook('onReady', async () => started());
    app.addHook('onListen', async () => started());
    await app.register(underPressure, {
      ...(config.loadShedEventLoopDelayMs > 0 ? { maxEventLoopDelay: config.loadShedEventLoopDelayMs } : {}),
      ...(config.loadShedMaxRssBytes > 0 ? { maxRssBytes: config.loadShedMaxRssBytes } : {}),
      retryAfter: 5,
      sampleInterval: SHED_SAMPLE_INTERVAL_MS,
      // only inference is shed: an operator must still be able to roll back or look at an
      // overloaded server, probes must still tell the truth, labels (feedback) are cheap and
      // scarce; what is expensive besides inference (evaluations, uploads) is admin-only and
      // rate-limited
      pressureHandler: (req, _reply, type, value) => {
        if (matchedRoute(req).config.inference !== true) return;
        if (Date.now() - servingSince < 2 * SHED_SAMPLE_INTERVAL_MS) return;
        throw new AppError('OVERLOADED', `the server is shedding load (${type}: ${Math.round(value ?? 0)})`, {
          headers: { 'retry-after': '5' },
        });
      },
    });
  }
}

/** Where per-principal rate limits count (cluster mode: Redis), and what a failure does. */
export interface SharedRateLimits {
  counter: WindowCounter;
  /** Let a request through uncounted when the counter fails (else 503 RATE_LIMIT_UNAVAILABLE). */
  failOpen: boolean;
  /** A request let through uncounted because the counter failed. */
  onFailOpen(): void;
}

/** Texts with more `{` and `[` than this are scanned for the JSON limits before they are parsed (at
 * most ~0.3 ms of parsing however they nest; a 1,000-row predict body has 1,001). */
const PARSE_FIRST_MAX_CONTAINERS = 4096;

/** Body limits (JSON structure, connection handling of refused bodies) and rate limits per principal. */
export async function registerRequestLimits(
  app: FastifyInstance,
  config: Config,
  shared?: SharedRateLimits,
): Promise<void> {
  // JSON through the default (prototype-poisoning-safe) parser, after the limits it lacks; a body
  // it refuses for a poisoning key is named as such, not as invalid JSON
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  const { maxJsonDepth, maxStringLength } = config;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    // Without a backslash, and with few enough containers that parsing cannot take long however
    // deep they nest, the text is parsed first and the limits are checked on the parsed value (a
    // tenth of the cost of scanning the text); the scan only words what the walk found: the first
    // problem in the text, as when it ran first (a value dropped for a later duplicate key is not
    // seen: the server never holds it). A `__proto__` or `constructor` key, or a text JSON.parse
    // refuses, takes the way below
    const simple = !text.includes('\\') && fewContainers(text, PARSE_FIRST_MAX_CONTAINERS);
    if (simple) {
      const value = parseOrUndefined(text);
      const check = value === undefined ? undefined : checkParsedJson(value, maxJsonDepth, maxStringLength);
      if (check === 'ok') return done(null, value);
      if (check === 'exceeds-limits') {
        const problem = jsonLimitProblem(text, maxJsonDepth, maxStringLength);
        return done(limitError(problem ?? 'the body exceeds the JSON limits'), undefined);
      }
    }
    const problem = jsonLimitProblem(text, maxJsonDepth, maxStringLength);
    if (problem) return done(limitError(problem), undefined);
    const plain = parsePlainJson(text);
    if (plain) return done(null, plain.value);
    void parse(req, text, (err, value) => {
      const forbidden = err ? findForbiddenKey(text) : undefined;
      done(forbidden ? forbiddenKeyError(forbidden) : err, value);
    });
  });

  // Fastify closes the connection after refusing a body (413, bad JSON). Closing with request bytes
  // still unread makes the kernel send RST, and the client often loses the 413 it was sent. Kept
  // open, Node reads and discards the rest of the body (bounded by the request timeout) and the
  // client reads its answer. Found by `npm run fuzz`.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (reply.statusCode >= 400 && reply.statusCode < 500 && reply.getHeader('connection') === 'close') {
      reply.removeHeader('connection');
    }
    done(null, payload);
  });

  const limits: Record<RouteScope, number> = {
    predict: config.rateLimitPredictPerMinute,
    read: config.rateLimitReadPerMinute,
    admin: config.rateLimitAdminPerMinute,
    // routes any credential may call (whoami) are as cheap as reads
    any: config.rateLimitReadPerMinute,
  };
  const classOf = (req: FastifyRequest): RouteScope | undefined => matchedRoute(req).config.scope;
  // route-level hooks (added to each route as it is declared): they run after every app-level
  // one, so after authentication, and key on the principal
  await app.register(rateLimit, {
    global: true,
    // the in-memory store (an LRU per process), or in cluster mode the shared counter, so that a
    // principal's budget holds across replicas (ADR 0004)
    timeWindow: 60_000,
    cache: 100_000,
    ...(shared ? { store: counterStore(shared), skipOnError: shared.failOpen } : {}),
    // routes without a scope (health, readiness) and unlimited classes are not counted
    allowList: (req) => {
      const cls = classOf(req);
      return cls === undefined || req.principal === null || limits[cls] === 0;
    },
    max: (req) => limits[classOf(req)!],
    keyGenerator: (req) => `${classOf(req) ?? 'public'}:${req.principal?.id ?? req.ip}`,
    enableDraftSpec: true,
    errorResponseBuilder: (req, ctx) =>
      new AppError(
        'RATE_LIMITED',
        `more than ${ctx.max} ${classOf(req) ?? ''} requests per minute for this principal; retry in ${ctx.after}`,
        { headers: { 'retry-after': String(Math.max(1, Math.ceil(ctx.ttl / 1000))) } },
      ),
  });
}

/**
 * @fastify/rate-limit's store contract over a WindowCounter. The counter bounds each call by its
 * command timeout; a failure reaches the plugin, which lets the request through (skipOnError,
 * fail open) or answers the counter's RATE_LIMIT_UNAVAILABLE (503).
 */
export function counterStore(shared: SharedRateLimits): FastifyRateLimitStoreCtor {
  const { counter, failOpen } = shared;
  const store: FastifyRateLimitStore = {
    incr(key, callback, timeWindow) {
      counter.increment(`rl:${key}`, timeWindow).then(
        ({ count, ttlMs }) => callback(null, { current: count, ttl: ttlMs }),
        (err: unknown) => {
          if (failOpen) shared.onFailOpen();
          callback(err instanceof Error ? err : new Error(String(err)));
        },
      );
    },
    // only for routes with their own rateLimit config, which no route has: one store for all
    child: () => store,
  };
  return class {
    constructor() {
      return store;
    }
  } as unknown as FastifyRateLimitStoreCtor;
}

function limitError(problem: string): AppError {
  return new AppError('JSON_LIMIT_EXCEEDED', problem);
}

function forbiddenKeyError({ key, pointer }: ForbiddenKey): AppError {
  const what = key === '__proto__' ? 'a "__proto__" key' : 'a "constructor" key holding a "prototype" key';
  return new AppError(
    'FORBIDDEN_JSON_KEY',
    `the body holds ${what} at ${pointer}; such keys are refused because they can change the prototype of JavaScript objects (prototype pollution): rename the field`,
    { errors: [{ pointer, detail: `${what} is refused` }] },
  );
}

/**
 * The headers helmet sets, captured once from its middleware. @fastify/helmet rebuilt helmet's
 * middleware on every request (5% of the predict path's CPU in the benchmark profile).
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as never, res as never, () => undefined);
  return headers;
}

/** Route patterns by method, to answer 405 (with Allow) instead of 404 for a known path. */
export class MethodIndex {
  readonly #routes: Array<{ method: string; pattern: RegExp }> = [];

  add(method: string | string[], url: string): void {
    const pattern = new RegExp(
      '^' + url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+') + '/?$',
    );
    for (const m of Array.isArray(method) ? method : [method]) this.#routes.push({ method: m, pattern });
  }

  allowed(path: string): string[] {
    return [...new Set(this.#routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
  }
}
