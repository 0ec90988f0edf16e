import { join } from 'node:path';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Clock } from '../../src/shared/clock.js';
import { Writable } from 'node:stream';
import { ModelgateApiError, ModelgateClient } from '../../src/client/client.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/config-schema.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { createLogger } from '../../src/shared/logger.js';
import { testDatabase, type TestDialect } from './databases.js';
import { checkContracts, ContractChecker } from './contract.js';
import type { FastifyInstance } from 'fastify';

export const REPO = new URL('../../', import.meta.url).pathname;
export const FIXTURES = join(REPO, 'test/fixtures/models');
export const DEMO = join(REPO, 'models/demo/breast-cancer');

/** Where a helper registers its cleanup: a TestContext, or a SuiteScope for suite-wide servers. */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** Cleanup for resources shared by a whole suite: call `run` from the suite's `after` hook. */
export class SuiteScope implements Cleanup {
  readonly #fns: Array<() => unknown> = [];
  after(fn: () => unknown): void {
    this.#fns.push(fn);
  }
  /** Runs every cleanup, newest first, even when one fails; then throws the first failure. */
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.#fns.reverse())
      await Promise.resolve()
        .then(fn)
        .catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }
}

/** Collects the server's JSON log lines so tests can assert on them. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    cb();
  }
}

export interface TestServer {
  server: RunningServer;
  url: string;
  /** Admin client (the key generated at first start). */
  admin: ModelgateClient;
  adminKey: string;
  logs: LogCapture;
  client(apiKey?: string): ModelgateClient;
  home: string;
  /** Checks every answer against the API contract (absent when the docs are turned off). */
  contract: ContractChecker | undefined;
}

/**
 * A real server on a free loopback port, on a fresh database (SQLite temp dir or a fresh
 * PostgreSQL schema), stopped when the test ends.
 */
export async function startTestServer(
  t: Cleanup,
  options: {
    dialect?: TestDialect;
    env?: Record<string, string>;
    demo?: boolean;
    spanExporter?: SpanExporter;
    clock?: Clock;
    /** Called with the app before it listens (after the contract checks are added). */
    onApp?: (app: FastifyInstance) => void;
    /** Called with the (empty) home directory before the server starts. */
    prepareHome?: (home: string) => void;
  } = {},
): Promise<TestServer> {
  const db = await testDatabase(options.dialect ?? 'sqlite', t);
  options.prepareHome?.(db.home);
  const config: Config = loadConfig({
    env: {
      MODELGATE_HOME: db.home,
      MODELGATE_PORT: '0',
      MODELGATE_LOG_LEVEL: 'info',
      // a loaded CI machine lags more than the production default: only the shedding tests shed
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
      ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
      ...options.env,
    },
  });
  const logs = new LogCapture();
  // Every answer is checked against the published OpenAPI document or the V2 spec. The failing
  // check is registered at the first violation, so cleanups registered before it still run.
  const contract = config.apiDocs
    ? new ContractChecker(
        () => server.app.swagger(),
        () =>
          t.after(() => {
            throw new Error(
              `${contract!.violations.length} answers broke the API contract:\n${contract!.violations.slice(0, 10).join('\n')}`,
            );
          }),
      )
    : undefined;
  const server = await startServer(config, {
    logger: createLogger({ level: config.logLevel, destination: logs }),
    ...(db.pgSchema ? { pgSchema: db.pgSchema } : {}),
    demo: options.demo ?? false,
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    instrument: (app: FastifyInstance) => {
      if (contract) checkContracts(app, contract);
      options.onApp?.(app);
    },
  });
  t.after(() => server.close());
  const adminKey = server.generatedAdminKey ?? config.adminKey!;
  const client = (apiKey?: string) =>
    new ModelgateClient({ baseUrl: server.url, ...(apiKey ? { apiKey } : {}) });
  return {
    server,
    url: server.url,
    admin: client(adminKey),
    adminKey,
    logs,
    client,
    home: db.home,
    contract,
  };
}

/** The API error a call ends with (fails the test if it succeeds or fails otherwise). */
export async function apiError(p: Promise<unknown>): Promise<ModelgateApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ModelgateApiError) return err;
    throw err;
  }
  throw new Error('expected the call to fail with an API error');
}

/** A JSON answer read without a schema: problem fields typed, anything else unknown. */
export interface RawJson {
  code: string;
  status: number;
  detail: string;
  request_id: string;
  errors: Array<{ pointer: string; detail: string }>;
  [key: string]: unknown;
}

/** Raw HTTP with the admin key: for what the typed client cannot send (bad bodies, headers). */
export async function raw(
  s: TestServer,
  method: string,
  path: string,
  init: { body?: string | FormData; headers?: Record<string, string>; key?: string | null } = {},
): Promise<{ status: number; headers: Headers; json: RawJson; text: string }> {
  const headers: Record<string, string> = { ...init.headers };
  const key = init.key === undefined ? s.adminKey : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(s.url + path, {
    method,
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let json: RawJson;
  try {
    json = JSON.parse(text) as RawJson;
  } catch {
    json = {} as RawJson;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** The secret part of an API key (`mg_<id>_<secret>`; the secret itself may contain `_`). */
export function secretOf(key: string): string {
  return key.split('_').slice(2).join('_');
}
