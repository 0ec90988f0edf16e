import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { spawnServe, type ServeChild } from '../helpers/cli.js';
import { ownPostgresSkip, startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres.js';
import { DEMO } from '../helpers/server.js';

/**
 * `modelgate serve` in cluster mode on a PostgreSQL of the test's own, which the test stops,
 * restarts, freezes and whose connections it kills. Before: one killed idle connection ended every
 * replica (an unhandled 'error' event), a replica started while the database was down exited 1,
 * and a frozen database hung admin calls for as long as it was frozen.
 */
const TIMEOUT_ENV = {
  MODELGATE_DATABASE_CONNECT_TIMEOUT_MS: '1000',
  MODELGATE_DATABASE_STATEMENT_TIMEOUT_MS: '1000',
  MODELGATE_DATABASE_START_RETRY_INITIAL_MS: '200',
  MODELGATE_DATABASE_START_RETRY_MAX_MS: '1000',
  // a key verified once is trusted from memory: predictions go on while the database is away
  MODELGATE_AUTH_CACHE_TTL_MS: '600000',
  MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
  MODELGATE_PORT: '0',
};
const BODY = readFileSync(join(DEMO, 'example-request.json'), 'utf8');

interface Served {
  proc: ServeChild;
  url: string;
  key: string;
}

async function serve(t: TestContext, pg: OwnPostgres, database: string): Promise<Served> {
  await pg.query(`create database ${database}`);
  const home = mkdtempSync(join(tmpdir(), 'mg-outage-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe(['--demo'], {
    ...TIMEOUT_ENV,
    MODELGATE_HOME: home,
    DATABASE_URL: dbUrl(pg, database),
  });
  t.after(() => proc.child.kill('SIGKILL'));
  const url = (await proc.waitFor('stderr', /listening on (http:\/\/\S+)/))[1]!;
  const key = (await proc.waitFor('stderr', /^ {2}(mg_\S+)$/m))[1]!;
  await proc.waitFor('stderr', /example-request\.json/);
  return { proc, url, key };
}

const dbUrl = (pg: OwnPostgres, database: string) => pg.url.replace(/\/postgres$/, `/${database}`);

async function call(s: { url: string; key?: string }, path: string, init: RequestInit = {}) {
  const started = Date.now();
  const res = await fetch(s.url + path, {
    ...init,
    headers: {
      ...(s.key ? { authorization: `Bearer ${s.key}` } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: safeJson(text), ms: Date.now() - started };
}

const predict = (s: Served) =>
  call(s, '/v1/models/breast-cancer/predict', {
    method: 'POST',
    body: BODY,
    headers: { 'content-type': 'application/json' },
  });
const listModels = (s: Served) => call(s, '/v1/models');

function safeJson(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function assertUnavailable(r: Awaited<ReturnType<typeof call>>, port: number): void {
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.code, 'DATABASE_UNAVAILABLE');
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(r.headers.get('retry-after'), '5');
  assert.ok(
    !r.text.includes(String(port)) && !/ECONN|SQLSTATE|postgres/i.test(r.text),
    `no internals: ${r.text}`,
  );
}

describe('serve on a failing database [own PostgreSQL]', { skip: ownPostgresSkip() }, () => {
  it('lives through killed connections and a restart; while the database is down admin calls are 503 DATABASE_UNAVAILABLE and predictions go on', async (t) => {
    const pg = await startOwnPostgres(t);
    const s = await serve(t, pg, 'outage');
    assert.equal((await listModels(s)).status, 200);
    assert.equal((await predict(s)).status, 200, 'the key is now in the memory cache');

    // pg_terminate_backend of every idle pooled connection
    assert.ok((await pg.terminateIdle()) >= 1);
    const after = await listModels(s);
    assert.equal(after.status, 200, after.text);
    assert.equal(s.proc.child.exitCode, null, 'the process lives');

    // the database stops (as for a restart or a failover)
    await pg.stop('fast');
    const down = await listModels(s);
    assertUnavailable(down, pg.port);
    assert.ok(down.ms < 5_000, `answered in ${down.ms} ms`);
    assert.equal((await predict(s)).status, 200, 'a loaded model and a cached key need no database');
    assert.equal((await call(s, '/health')).status, 200);
    // a running replica stays ready (ADR 0009, revised): its predictions still work, and with N
    // replicas on one database an unready rule would take them all out of the load balancer
    const ready = await until(
      '/ready to note the outage',
      () => call(s, '/ready'),
      (r) => r.json.database === 'unavailable',
    );
    assert.equal(ready.status, 200);
    assert.equal(ready.json.ready, true);
    assert.match(String(ready.json.database_reason), /^database unavailable since /);
    assert.equal((await call(s, '/v2/health/ready')).status, 200);
    assert.match((await call(s, '/metrics')).text, /^modelgate_database_up 0$/m);

    await pg.start();
    await until(
      'admin calls to work again',
      () => listModels(s),
      (r) => r.status === 200,
    );
    await until(
      '/ready to note the database again',
      () => call(s, '/ready'),
      (r) => r.status === 200 && r.json.database === 'available',
    );
    assert.match((await call(s, '/metrics')).text, /^modelgate_database_up 1$/m);
    assert.equal(s.proc.child.exitCode, null, 'the same process, never restarted');
    await s.proc.waitFor('stdout', /"msg":"database unavailable"/);
    await s.proc.waitFor('stdout', /"msg":"database available again"/);
  });

  it('a frozen database (SIGSTOP): admin calls answer 503 within the configured timeouts instead of hanging', async (t) => {
    const pg = await startOwnPostgres(t);
    const s = await serve(t, pg, 'frozen');
    assert.equal((await listModels(s)).status, 200);
    assert.equal((await predict(s)).status, 200);
    pg.freeze();
    try {
      const answers = await Promise.all([listModels(s), listModels(s), call(s, '/v1/audit')]);
      for (const a of answers) {
        assertUnavailable(a, pg.port);
        // 1 s timeouts (+1 s client margin for a statement): nowhere near "as long as it is frozen"
        assert.ok(a.ms < 10_000, `answered in ${a.ms} ms`);
      }
      assert.equal((await predict(s)).status, 200);
      const ready = await until(
        '/ready to note the outage',
        () => call(s, '/ready'),
        (r) => r.json.database === 'unavailable',
      );
      assert.equal(ready.status, 200, 'a running replica stays in the load balancer');
    } finally {
      pg.thaw();
    }
    await until(
      'admin calls after the thaw',
      () => listModels(s),
      (r) => r.status === 200,
    );
    await until(
      '/ready after the thaw',
      () => call(s, '/ready'),
      (r) => r.status === 200 && r.json.database === 'available',
    );
  });

  it('started while the database is down: /health 200 and /ready 503 at once, then ready on the same port when it starts', async (t) => {
    const pg = await startOwnPostgres(t);
    await pg.query('create database late');
    await pg.stop('fast');
    const home = mkdtempSync(join(tmpdir(), 'mg-outage-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const proc = spawnServe(['--demo'], {
      ...TIMEOUT_ENV,
      MODELGATE_HOME: home,
      DATABASE_URL: dbUrl(pg, 'late'),
    });
    t.after(() => proc.child.kill('SIGKILL'));
    const waiting = await proc.waitFor(
      'stderr',
      /waiting for the database \((.+)\); \/health and \/ready answer on (http:\/\/\S+)/,
    );
    assert.match(
      waiting[1]!,
      /^database unavailable \(connection failed \(ECONNREFUSED\)\), retrying in \d+ s$/,
    );
    const boot = { url: waiting[2]! };
    assert.equal((await call(boot, '/health')).status, 200);
    const ready = await call(boot, '/ready');
    assert.equal(ready.status, 503);
    assert.match(ready.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(ready.json.code, 'DATABASE_UNAVAILABLE');
    assert.equal(ready.json.ready, false);
    assert.match(String(ready.json.detail), /^database unavailable \(.+\), retrying in \d+ s$/);
    const admin = await call(boot, '/v1/models');
    assert.equal(admin.status, 503);
    assert.equal(admin.json.code, 'DATABASE_UNAVAILABLE');
    assert.ok(Number(admin.headers.get('retry-after')) >= 1);
    // it keeps trying (and living) rather than exiting
    await proc.waitFor('stdout', /(?:"msg":"database unavailable at start; retrying"[^\n]*\n[^]*){3}/);
    assert.equal(proc.child.exitCode, null);

    await pg.start();
    const listening = await proc.waitFor('stderr', /listening on (http:\/\/\S+)/);
    assert.equal(listening[1], boot.url, 'the same port, no restart');
    const key = (await proc.waitFor('stderr', /^ {2}(mg_\S+)$/m))[1]!;
    await until(
      '/ready',
      () => call(boot, '/ready'),
      (r) => r.status === 200,
    );
    assert.equal((await call({ ...boot, key }, '/v1/models')).status, 200);

    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  });

  it('SIGTERM while waiting for the database ends the process with 0, its log lines written', async (t) => {
    const pg = await startOwnPostgres(t);
    await pg.stop('fast');
    const home = mkdtempSync(join(tmpdir(), 'mg-outage-'));
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const proc = spawnServe([], { ...TIMEOUT_ENV, MODELGATE_HOME: home, DATABASE_URL: pg.url });
    t.after(() => proc.child.kill('SIGKILL'));
    await proc.waitFor('stderr', /waiting for the database/);
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
    assert.match(proc.stdout(), /"msg":"database unavailable at start; retrying"/);
  });
});
