import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ERROR_CODES } from '../shared/error-codes.js';
import { problemType } from './problem.js';

/**
 * What answers on the port while the process waits for its database at start (ADR 0009): liveness
 * is 200 (the process is fine: restarting it would not help), readiness is 503 with the reason,
 * and every other request is a 503 DATABASE_UNAVAILABLE problem with Retry-After. Replaced by the
 * real app, on the same port, once the database answers.
 */
export interface BootstrapServer {
  url: string;
  port: number;
  /** Why it waits (safe to show) and when it tries again: /ready says "…, retrying in 4 s". */
  waiting(cause: string, retryAtMs: number): void;
  /** Stops listening and ends its connections (keep-alive clients reconnect to the real app). */
  close(): Promise<void>;
}

export async function startBootstrapServer(options: {
  host: string;
  port: number;
  requestTimeoutMs: number;
  cause: string;
  retryAtMs: number;
}): Promise<BootstrapServer> {
  const started = performance.now();
  let cause = options.cause;
  let retryAtMs = options.retryAtMs;
  const secondsLeft = () => Math.max(1, Math.ceil((retryAtMs - Date.now()) / 1000));
  const problem = (req: IncomingMessage, detail: string) => {
    const { status, title } = ERROR_CODES.DATABASE_UNAVAILABLE;
    const incoming = req.headers['x-request-id'];
    const requestId =
      typeof incoming === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    return {
      requestId,
      body: {
        type: problemType('DATABASE_UNAVAILABLE'),
        title,
        status,
        detail,
        code: 'DATABASE_UNAVAILABLE',
        request_id: requestId,
      },
    };
  };
  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    res
      .writeHead(status, {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...headers,
      })
      .end(JSON.stringify(body));

  const server = createServer((req, res) => {
    // the body (if any) is not read: drop it rather than keep the socket waiting
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === '/health') {
      send(res, 200, 'application/json', {
        status: 'ok',
        uptime_seconds: Math.round((performance.now() - started) / 1000),
      });
      return;
    }
    if (get && path === '/v2/health/live') {
      send(res, 200, 'application/json', { live: true });
      return;
    }
    const seconds = secondsLeft();
    const reason = `${cause}, retrying in ${seconds} s`;
    const headers = { 'retry-after': String(seconds) };
    if (get && (path === '/ready' || path === '/v2/health/ready')) {
      // a problem that also reads as the app's readiness body ({ready, models})
      const p = problem(req, reason);
      send(
        res,
        503,
        'application/problem+json',
        { ...p.body, ready: false, models: [], database: 'unavailable' },
        {
          ...headers,
          'x-request-id': p.requestId,
        },
      );
      return;
    }
    const p = problem(req, `modelgate is starting: ${reason}`);
    send(res, 503, 'application/problem+json', p.body, { ...headers, 'x-request-id': p.requestId });
  });
  server.requestTimeout = options.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    waiting(nextCause, nextRetryAtMs) {
      cause = nextCause;
      retryAtMs = nextRetryAtMs;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
