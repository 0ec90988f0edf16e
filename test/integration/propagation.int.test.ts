import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { SqlRegistryStore } from '../../src/modules/registry/sql-registry-store.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { describeEachDatabase, testDatabase, type TestDialect } from '../helpers/databases.js';
import { DEMO, LogCapture, type Cleanup } from '../helpers/server.js';

const ADMIN_KEY = `mg_propag01_${randomBytes(24).toString('base64url')}`;
const REQUEST = JSON.parse(
  (await import('node:fs')).readFileSync(join(DEMO, 'example-request.json'), 'utf8'),
) as unknown;

interface Pair {
  a: RunningServer;
  b: RunningServer;
  home: string;
  logsB: LogCapture;
}

/**
 * Two runtimes in this process on one database (one SQLite file, or one PostgreSQL schema): what
 * two replicas are, without the processes. A has the demo (1.0.0 production, 1.1.0 registered).
 */
async function pair(t: Cleanup, dialect: TestDialect, envB: Record<string, string> = {}): Promise<Pair> {
  const db = await testDatabase(dialect, t);
  const config = (env: Record<string, string>) =>
    loadConfig({
      env: {
        MODELGATE_HOME: db.home,
        MODELGATE_PORT: '0',
        MODELGATE_ADMIN_KEY: ADMIN_KEY,
        MODELGATE_LOG_LEVEL: 'info',
        MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
        ...env,
      },
    });
  const start = async (demo: boolean, env: Record<string, string>, logs = new LogCapture()) => {
    const c = config(env);
    const s = await startServer(c, {
      logger: createLogger({ level: c.logLevel, destination: logs }),
      ...(db.pgSchema ? { pgSchema: db.pgSchema } : {}),
      demo,
    });
    t.after(() => s.close());
    return s;
  };
  const a = await start(true, {});
  const logsB = new LogCapture();
  const b = await start(false, envB, logsB);
  return { a, b, home: db.home, logsB };
}

async function call(
  s: RunningServer,
  method: string,
  path: string,
  body?: unknown,
  key = ADMIN_KEY,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(s.url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

interface ReadyModel {
  name: string;
  version: string | null;
  serving?: string | null;
  state: string;
  error?: string;
}

async function ready(s: RunningServer): Promise<{ status: number; model: ReadyModel | undefined }> {
  const res = await fetch(`${s.url}/ready`);
  const body = (await res.json()) as { models: ReadyModel[] };
  return { status: res.status, model: body.models.find((m) => m.name === 'breast-cancer') };
}

async function predictVersion(s: RunningServer): Promise<string> {
  const r = await call(s, 'POST', '/v1/models/breast-cancer/predict', REQUEST);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.version as string;
}

/** Polls `probe` until it returns `want` (deep-equal); returns the milliseconds it took. */
async function until<T>(probe: () => Promise<T>, want: T, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  let last: T | undefined;
  for (;;) {
    last = await probe();
    try {
      assert.deepEqual(last, want);
      return performance.now() - started;
    } catch {
      if (performance.now() - started > timeoutMs)
        assert.fail(`not ${JSON.stringify(want)} within ${timeoutMs} ms; last ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeEachDatabase('change propagation between two runtimes on one database', (dialect) => {
  it('a promotion and a rollback through A are served by B', async (t) => {
    const { a, b } = await pair(t, dialect);
    assert.equal(await predictVersion(b), '1.0.0');
    const served = async () => {
      const r = await ready(b);
      return {
        status: r.status,
        version: r.model?.version,
        serving: r.model?.serving,
        state: r.model?.state,
      };
    };
    const promoted = await call(a, 'POST', '/v1/models/breast-cancer/promote', { version: '1.1.0' });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.json));
    const promoteMs = await until(served, {
      status: 200,
      version: '1.1.0',
      serving: '1.1.0',
      state: 'ready',
    });
    assert.equal(await predictVersion(b), '1.1.0');

    const rolled = await call(a, 'POST', '/v1/models/breast-cancer/rollback', {});
    assert.equal(rolled.status, 200, JSON.stringify(rolled.json));
    const rollbackMs = await until(served, {
      status: 200,
      version: '1.0.0',
      serving: '1.0.0',
      state: 'ready',
    });
    assert.equal(await predictVersion(b), '1.0.0');
    // B's own view of the aliases follows the registry's, previous included
    assert.deepEqual(b.runtime.services.serving.route('breast-cancer')?.aliases, {
      production: '1.0.0',
      previous: '1.1.0',
    });
    t.diagnostic(
      `${dialect}: promote reached B in ${promoteMs.toFixed(0)} ms, rollback in ${rollbackMs.toFixed(0)} ms`,
    );
    // B measured it too
    const metrics = await (
      await fetch(`${b.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).text();
    const count = /^modelgate_change_propagation_seconds_count\{kind="aliases"\} (\d+)/m.exec(metrics);
    assert.ok(count && Number(count[1]) >= 2, `aliases changes applied on B: ${count?.[1]}`);
    assert.match(
      metrics,
      new RegExp(`^modelgate_change_notifications_connected ${dialect === 'postgres' ? 1 : 0}$`, 'm'),
    );
  });

  it('staging set and cleared through A is seen by B', async (t) => {
    const { a, b } = await pair(t, dialect);
    const staging = () => Promise.resolve(b.runtime.services.serving.route('breast-cancer')?.aliases.staging);
    const set = await call(a, 'PUT', '/v1/models/breast-cancer/aliases/staging', { version: '1.1.0' });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    await until(staging, '1.1.0');
    const cleared = await call(a, 'PUT', '/v1/models/breast-cancer/aliases/staging', { version: null });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.json));
    await until(staging, undefined);
  });

  it('a key revoked through A is refused by B, although B had it cached', async (t) => {
    const { a, b } = await pair(t, dialect);
    const created = await call(a, 'POST', '/v1/keys', { name: 'app', scopes: ['predict'] });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const key = created.json.key as string;
    const id = created.json.id as string;
    const predictWith = async () =>
      (await call(b, 'POST', '/v1/models/breast-cancer/predict', REQUEST, key)).status;
    assert.equal(await predictWith(), 200); // now in B's cache for authCacheTtlMs (5 s)
    const revoked = await call(a, 'DELETE', `/v1/keys/${id}`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.json));
    const ms = await until(predictWith, 401, 4_000);
    t.diagnostic(`${dialect}: revoke reached B in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 2_000, `revoke took ${ms} ms to reach B`);
  });

  it('a version B cannot load: B keeps serving the old one and is not ready', async (t) => {
    const { a, b, home } = await pair(t, dialect);
    const v110 = await a.runtime.services.registry.getVersion('breast-cancer', '1.1.0');
    // the stored bytes change behind the registry's back, then production moves without A
    // preparing it (as an operator's direct write would): every replica must refuse to serve it
    await tamper(a, home, v110.files[0]!.sha256);
    const store = new SqlRegistryStore(a.runtime.db.db, a.runtime.db.dialect, systemClock);
    const current = await store.getAliases('breast-cancer');
    await store.replaceAliases(
      'breast-cancer',
      current,
      { production: '1.1.0', previous: '1.0.0' },
      { principal: 'test', action: 'model.promoted', model: 'breast-cancer', version: '1.1.0' },
    );
    const state = async () => {
      const r = await ready(b);
      return {
        status: r.status,
        version: r.model?.version,
        serving: r.model?.serving,
        state: r.model?.state,
      };
    };
    await until(state, { status: 503, version: '1.1.0', serving: '1.0.0', state: 'failed' });
    const r = await ready(b);
    assert.match(r.model?.error ?? '', /^ARTIFACT_INTEGRITY_FAILED: /);
    // the old version keeps answering
    assert.equal(await predictVersion(b), '1.0.0');
  });

  it('the reconcile repairs a change that was never announced', async (t) => {
    const { a, b } = await pair(t, dialect, { MODELGATE_RECONCILE_INTERVAL_MS: '300' });
    // production moved by hand in the database: no change row, no notification
    await a.runtime.db.db
      .updateTable('aliases')
      .set({ version: '1.1.0' })
      .where('model_name', '=', 'breast-cancer')
      .where('alias', '=', 'production')
      .execute();
    const serving = async () => (await ready(b)).model?.serving;
    await until(serving, '1.1.0', 5_000);
    assert.equal(await predictVersion(b), '1.1.0');
  });
});

/** Changes a blob's stored bytes (disk file or database row). */
async function tamper(s: RunningServer, home: string, sha256: string): Promise<void> {
  const { db } = s.runtime;
  if (db.dialect === 'sqlite') {
    const path = join(home, 'artifacts', 'sha256', sha256.slice(0, 2), sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, Buffer.from('not the model that was registered'));
    return;
  }
  await db.db
    .updateTable('blob_chunks')
    .set({ data: Buffer.from('not the model that was registered') })
    .where('sha256', '=', sha256)
    .execute();
}
