import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../shared/clock.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { AppError } from '../shared/errors.js';
import type {
  IdempotencyId,
  IdempotencyStore,
  StoredResponse,
} from '../modules/idempotency/idempotency-store.js';
import { matchedRoute } from './matched-route.js';
import { toProblem } from './problem.js';

export const REPLAY_HEADER = 'idempotent-replayed';
const MAX_KEY_LENGTH = 255;
/** A claim whose process died is taken over after this long. */
export const CLAIM_LOCK_MS = 60_000;

interface ActiveClaim {
  id: IdempotencyId;
  done: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route accepts Idempotency-Key. `body`: checked before the handler, fingerprinting the
     * parsed JSON body. `handler`: the handler calls `beginIdempotent` itself once it has read
     * the request (multipart uploads).
     */
    idempotent?: 'body' | 'handler';
  }
  interface FastifyRequest {
    idempotencyClaim: ActiveClaim | null;
  }
  interface FastifyInstance {
    idempotency: IdempotencyOptions;
  }
}

/**
 * Parses the header as an RFC 8941 sf-string: `"..."` with printable ASCII inside, `\"` and `\\`
 * escapes, 1 to 255 characters once unescaped.
 */
export function parseIdempotencyKey(header: string): string {
  const m = /^\s*"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"\s*$/.exec(header);
  if (!m) {
    throw new AppError(
      'IDEMPOTENCY_KEY_INVALID',
      'send Idempotency-Key as a quoted structured-field string of printable ASCII, e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"',
    );
  }
  const key = m[1]!.replace(/\\(["\\])/g, '$1');
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AppError(
      'IDEMPOTENCY_KEY_INVALID',
      `the Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters`,
    );
  }
  return key;
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  clock: Clock;
  ttlSeconds: number;
  /** Called for each replayed answer (metrics). */
  onReplay?: (route: string) => void;
}

/** Responses that record the outcome of an executed operation; everything else may be retried. */
function storable(status: number): boolean {
  return status < 400 || status === 409;
}

/**
 * Claims the request's Idempotency-Key, or answers for it. Returns true when the request should
 * run, false when the reply was already sent (a replay). Throws 409 while the first request runs
 * and 422 when the key was used with another request. Without the header it does nothing.
 */
export async function beginIdempotent(
  req: FastifyRequest,
  reply: FastifyReply,
  fingerprintMaterial: string,
): Promise<boolean> {
  const header = req.headers['idempotency-key'];
  if (header === undefined) return true;
  const options = req.server.idempotency;
  const key = parseIdempotencyKey(Array.isArray(header) ? header.join(',') : header);
  const id: IdempotencyId = {
    principal: req.principal?.id ?? 'anonymous',
    method: req.method,
    route: matchedRoute(req).pattern ?? req.url,
    key,
  };
  const fingerprint = createHash('sha256')
    .update(`${req.method} ${req.url.split('?')[0]}\n`)
    .update(fingerprintMaterial)
    .digest('hex');
  const result = await options.store.claim(id, fingerprint, options.clock.nowMs(), CLAIM_LOCK_MS);
  switch (result.kind) {
    case 'claimed':
      req.idempotencyClaim = { id, done: false };
      return true;
    case 'running':
      throw new AppError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'a request with this Idempotency-Key is still running',
        {
          headers: { 'retry-after': '1' },
        },
      );
    case 'mismatch':
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used with another request body or path; use a new key for a new request',
      );
    case 'replay': {
      options.onReplay?.(id.route);
      const r = result.response;
      await reply
        .code(r.status)
        .headers(r.headers)
        .header(REPLAY_HEADER, 'true')
        .type(r.contentType)
        .serializer((payload: unknown) => payload as string)
        .send(r.body);
      return false;
    }
  }
}

/** Fingerprint material of a JSON body: its canonical form, so key order and spacing do not matter. */
export function bodyMaterial(body: unknown): string {
  return body === undefined ? '' : canonicalJson(body);
}

/**
 * A response marked `Cache-Control: no-store` holds a secret shown once (a new API key). It is not
 * kept: the replay says the operation completed and names what it created, without the secret.
 */
function secretNotReplayed(req: FastifyRequest, payload: string): StoredResponse {
  let id: unknown;
  try {
    id = (JSON.parse(payload) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  const problem = toProblem(
    new AppError(
      'SECRET_NOT_REPLAYED',
      `the request with this Idempotency-Key completed${typeof id === 'string' ? ` (created '${id}')` : ''}; its response held a secret that is shown only once and is not replayed`,
    ),
    req,
  );
  return {
    status: problem.status,
    contentType: 'application/problem+json',
    body: JSON.stringify(problem.body),
    headers: {},
  };
}

export function registerIdempotency(app: FastifyInstance, opts: IdempotencyOptions): void {
  app.decorate('idempotency', opts);
  app.decorateRequest('idempotencyClaim', null);

  // a callback hook: every request passes it, and all but keyed ones leave at once (an async
  // hook costs each a promise and a microtask). A replay has sent its answer: the chain stops there
  app.addHook('preHandler', (req, reply, done) => {
    // no header, nothing to do: the body is fingerprinted only for requests that carry a key
    if (matchedRoute(req).config.idempotent !== 'body' || req.headers['idempotency-key'] === undefined)
      return done();
    Promise.resolve()
      .then(() => beginIdempotent(req, reply, bodyMaterial(req.body)))
      .then(
        (run) => {
          if (run) done();
        },
        (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
      );
  });

  // callback hooks: they run on every request, and all but keyed requests leave at once
  app.addHook('onSend', (req, reply, payload, done) => {
    const claim = req.idempotencyClaim;
    if (!claim || claim.done) return done(null, payload);
    claim.done = true;
    const status = reply.statusCode;
    let settled: Promise<void>;
    if (typeof payload === 'string' && storable(status)) {
      const location = reply.getHeader('location');
      const secret = String(reply.getHeader('cache-control') ?? '').includes('no-store');
      settled = opts.store.complete(
        claim.id,
        secret
          ? secretNotReplayed(req, payload)
          : {
              status,
              contentType: String(reply.getHeader('content-type') ?? 'application/json'),
              body: payload,
              headers: typeof location === 'string' ? { location } : {},
            },
        opts.clock.nowMs() + opts.ttlSeconds * 1000,
      );
    } else {
      settled = opts.store.release(claim.id);
    }
    settled.then(
      () => done(null, payload),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });

  // a request that never reached onSend (client went away) frees its key
  app.addHook('onResponse', (req, _reply, done) => {
    const claim = req.idempotencyClaim;
    if (!claim || claim.done) return done();
    claim.done = true;
    opts.store.release(claim.id).then(
      () => done(),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  });
}
