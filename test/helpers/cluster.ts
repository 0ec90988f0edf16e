// Several modelgate replicas as separate processes (the built CLI, separate homes) on one
// PostgreSQL schema, optionally behind Debian's haproxy with `option httpchk GET /ready`: what
// a Kubernetes Deployment with three pods and a Service does, on loopback.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from './build.js';
import { freePort } from './ports.js';
import { REPO } from './server.js';

/** A fixed admin key for every replica (MODELGATE_ADMIN_KEY), so no banner has to be read. */
export const CLUSTER_ADMIN_KEY = `mg_cluster01_${randomBytes(24).toString('base64url')}`;

export interface Replica {
  name: string;
  url: string;
  port: number;
  home: string;
  child: ChildProcess;
  /** stdout (JSON log lines) and stderr so far */
  logs(): string;
  /** SIGTERM and wait for the exit */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: a crash, no shutdown hook runs */
  kill9(): Promise<void>;
}

export interface ReplicaOptions {
  name: string;
  databaseUrl: string;
  /** the PostgreSQL schema every replica of one cluster shares (search_path) */
  schema?: string;
  /** environment on top of the defaults (MODELGATE_*) */
  env?: Record<string, string>;
  /** serve --demo (registers the demo versions and promotes 1.0.0 when nothing serves) */
  demo?: boolean;
  /** a port to listen on (a restarted replica keeps its port); a free one otherwise */
  port?: number;
  home?: string;
}

/** The database URL a replica connects with: the schema as search_path in the URL's options. */
export function schemaUrl(databaseUrl: string, schema: string | undefined): string {
  if (!schema) return databaseUrl;
  const u = new URL(databaseUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/**
 * Starts `modelgate serve` (dist/, as the image runs it) and resolves once it listens. A port of
 * our choosing that another test took in the meantime (EADDRINUSE) is chosen again, twice at most;
 * a port the caller gave is not.
 */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReplicaOnce(options);
    } catch (err) {
      const taken = err instanceof Error && /EADDRINUSE/.test(err.message);
      if (!taken || options.port !== undefined || attempt === 3) throw err;
    }
  }
}

async function startReplicaOnce(options: ReplicaOptions): Promise<Replica> {
  ensureBuilt();
  const port = options.port ?? (await freePort());
  const home = options.home ?? mkdtempSync(join(tmpdir(), `mg-${options.name}-`));
  const child = spawn(process.execPath, ['dist/cli/index.js', 'serve', ...(options.demo ? ['--demo'] : [])], {
    cwd: REPO,
    env: {
      ...process.env,
      MODELGATE_API_KEY: undefined,
      MODELGATE_URL: undefined,
      MODELGATE_HOST: '127.0.0.1',
      MODELGATE_PORT: String(port),
      MODELGATE_HOME: home,
      MODELGATE_DATABASE_URL: schemaUrl(options.databaseUrl, options.schema),
      MODELGATE_ADMIN_KEY: CLUSTER_ADMIN_KEY,
      MODELGATE_LOG_LEVEL: 'info',
      // a replica is one process here: the tests count replicas (leader, windows, logs)
      MODELGATE_WORKERS: '1',
      // several replicas, haproxy and the load share two cores: a lag spike past the default 1 s
      // would shed requests the tests count (shedding has its own tests)
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '5000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`replica ${options.name} exited (${child.exitCode ?? child.signalCode}):\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`replica ${options.name} did not listen within 60 s:\n${out}`);
    }
    if (/listening on http/.test(out)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    name: options.name,
    url,
    port,
    home,
    child,
    logs: () => out,
    stop: () => signal('SIGTERM'),
    kill9: () => signal('SIGKILL'),
  };
}

export interface Cluster {
  replicas: Replica[];
  databaseUrl: string;
  schema: string;
  /** replaces replica i by a new process on the same port and home (after stop or kill9) */
  restart(i: number, env?: Record<string, string>): Promise<Replica>;
  /**
   * A rolling-update step: SIGTERM replica i, wait for it to exit (its drain and shutdown), then
   * start a new process on the same port and home. Resolves with the new replica, how long the
   * old one took from SIGTERM to exit and its exit code.
   */
  restartGracefully(
    i: number,
    env?: Record<string, string>,
  ): Promise<{ replica: Replica; stopMs: number; exitCode: number | null }>;
  stop(): Promise<void>;
}

/**
 * N replicas on a fresh schema of the test database. The first starts alone (it migrates and,
 * with demo, registers the demo versions), the others after it.
 */
export async function startCluster(options: {
  databaseUrl: string;
  replicas: number;
  env?: Record<string, string>;
  demo?: boolean;
}): Promise<Cluster> {
  const schema = `c_${randomBytes(6).toString('hex')}`;
  await psql(options.databaseUrl, `create schema ${schema}`);
  const replicas: Replica[] = [];
  const opts = (i: number): ReplicaOptions => ({
    name: `r${i + 1}`,
    databaseUrl: options.databaseUrl,
    schema,
    ...(options.env ? { env: options.env } : {}),
    ...(options.demo ? { demo: true } : {}),
  });
  const stopAll = async () => {
    await Promise.all(replicas.map((r) => r.kill9()));
    for (const r of replicas) rmSync(r.home, { recursive: true, force: true });
    await psql(options.databaseUrl, `drop schema if exists ${schema} cascade`);
  };
  try {
    replicas.push(await startReplica(opts(0)));
    // allSettled, not all: all would reject at the first failure and leave the replicas still
    // starting beside it running, unowned, their pipes keeping the test file alive for ever
    const rest = await Promise.allSettled(
      Array.from({ length: options.replicas - 1 }, (_, i) => startReplica(opts(i + 1))),
    );
    for (const r of rest) if (r.status === 'fulfilled') replicas.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    replicas,
    databaseUrl: options.databaseUrl,
    schema,
    async restart(i, env) {
      const old = replicas[i]!;
      await old.kill9();
      const next = await startReplica({
        ...opts(i),
        port: old.port,
        home: old.home,
        env: { ...options.env, ...env },
      });
      replicas[i] = next;
      return next;
    },
    async restartGracefully(i, env) {
      const old = replicas[i]!;
      const started = performance.now();
      await old.stop();
      const stopMs = Math.round(performance.now() - started);
      const next = await startReplica({
        ...opts(i),
        port: old.port,
        home: old.home,
        env: { ...options.env, ...env },
      });
      replicas[i] = next;
      return { replica: next, stopMs, exitCode: old.child.exitCode };
    },
    stop: stopAll,
  };
}

async function psql(databaseUrl: string, sql: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface Haproxy {
  url: string;
  stop(): Promise<void>;
}

/**
 * Debian's haproxy in front of the replicas, round robin, health-checked as a Kubernetes Service
 * with a readiness probe would be: `GET /ready` every 500 ms, out after 3 failures, in after 2.
 */
export async function startHaproxy(
  backends: Array<{ port: number }>,
  options: {
    /**
     * false: no retry and no redispatch, as a Kubernetes Service (kube-proxy) forwards: a refused
     * or reset connection is the client's failure. Default true.
     */
    retries?: boolean;
  } = {},
): Promise<Haproxy> {
  const retries = options.retries ?? true;
  if (spawnSync('haproxy', ['-v']).status !== 0)
    throw new Error('haproxy is not installed (apt-get install haproxy)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mg-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode http',
      '  timeout connect 2s',
      '  timeout client 30s',
      '  timeout server 30s',
      ...(retries ? ['  retries 2', '  option redispatch'] : ['  retries 0']),
      `frontend fe`,
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      '  option httpchk GET /ready',
      '  http-check expect status 200',
      ...(retries ? ['  retry-on conn-failure empty-response response-timeout'] : []),
      ...backends.map((b, i) => `  server r${i + 1} 127.0.0.1:${b.port} check inter 500ms fall 3 rise 2`),
      '',
    ].join('\n'),
  );
  const child = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${out}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not answer within 15 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  ok: number;
  failed: number;
  /** status or error message → count, for the failures */
  failures: Record<string, number>;
  /** version answered → count */
  versions: Record<string, number>;
}

/**
 * Continuous prediction load (`concurrency` loops of one request at a time) until stop() is
 * called. Every answer that is not a 200 counts as failed, with its status.
 */
export function startLoad(
  url: string,
  options: {
    model?: string;
    concurrency?: number;
    key?: string;
    body?: unknown;
    /** request bodies sent in turn (instead of one `body`), e.g. varied rows for shadow comparisons */
    bodies?: unknown[];
  } = {},
): { stop(): Promise<LoadResult> } {
  const model = options.model ?? 'breast-cancer';
  const bodies = (options.bodies ?? [options.body ?? demoRequest()]).map((b) => JSON.stringify(b));
  let sent = 0;
  const result: LoadResult = { ok: 0, failed: 0, failures: {}, versions: {} };
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const res = await fetch(`${url}/v1/models/${model}/predict`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.key ?? CLUSTER_ADMIN_KEY}`,
            'content-type': 'application/json',
          },
          body: bodies[sent++ % bodies.length],
        });
        const text = await res.text();
        if (res.status === 200) {
          result.ok++;
          const version = (JSON.parse(text) as { version: string }).version;
          result.versions[version] = (result.versions[version] ?? 0) + 1;
        } else {
          result.failed++;
          const k = `${res.status} ${text.slice(0, 120)}`;
          result.failures[k] = (result.failures[k] ?? 0) + 1;
        }
      } catch (err) {
        result.failed++;
        const k = (err as Error).message;
        result.failures[k] = (result.failures[k] ?? 0) + 1;
      }
    }
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, loop);
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

let request: unknown;
function demoRequest(): unknown {
  request ??= JSON.parse(readFileSync(join(REPO, 'models/demo/breast-cancer/example-request.json'), 'utf8'));
  return request;
}

/** The version a replica's production alias serves right now, from its own /ready. */
export async function servedVersion(
  replica: { url: string },
  model = 'breast-cancer',
): Promise<string | undefined> {
  const res = await fetch(`${replica.url}/ready`);
  const body = (await res.json()) as {
    models?: Array<{ name: string; version: string | null; serving?: string | null }>;
  };
  const m = body.models?.find((x) => x.name === model);
  // `serving`: what answers here; `version`, the registry's production, differs while a change loads
  return (m?.serving !== undefined ? m.serving : m?.version) ?? undefined;
}

/** An authenticated JSON call against one replica (or the load balancer). */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  key = CLUSTER_ADMIN_KEY,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      // an RFC 8941 string: quoted (an unquoted key is refused with 400 IDEMPOTENCY_KEY_INVALID)
      ...(method === 'GET' ? {} : { 'idempotency-key': `"${randomBytes(12).toString('hex')}"` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
