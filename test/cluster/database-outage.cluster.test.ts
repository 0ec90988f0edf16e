// Three replicas behind haproxy on a PostgreSQL of the test's own, under continuous prediction
// load; the database stops for 20 s. Running replicas stay ready (ADR 0009, revised): haproxy
// keeps all three, predictions go on from loaded models and cached keys, admin calls answer 503
// DATABASE_UNAVAILABLE, the prediction log drops past its bound (counted), and everything
// recovers without a restart. Before the revision every replica's /ready failed at once and
// haproxy answered every request 503.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  call,
  CLUSTER_ADMIN_KEY,
  servedVersion,
  startCluster,
  startHaproxy,
  startLoad,
  type Replica,
} from '../helpers/cluster.js';
import { ownPostgresSkip, startOwnPostgres } from '../helpers/own-postgres.js';
import { parse } from '../helpers/prom-text.js';

const OUTAGE_MS = 20_000;
const ENV = {
  MODELGATE_DATABASE_CONNECT_TIMEOUT_MS: '1000',
  MODELGATE_DATABASE_STATEMENT_TIMEOUT_MS: '2000',
  MODELGATE_DATABASE_POOL_SIZE: '5',
  // a key verified once is trusted from memory: predictions go on while the database is away
  MODELGATE_AUTH_CACHE_TTL_MS: '600000',
  // the smallest bound, so that 20 s of load overflows it
  MODELGATE_PREDICTION_LOG_MAX_QUEUE_BYTES: '65536',
  MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0',
  MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
  MODELGATE_METRICS_PUBLIC: 'true',
};

async function metrics(r: Replica) {
  return parse(await (await fetch(`${r.url}/metrics`)).text());
}

async function readyBody(r: Replica) {
  const res = await fetch(`${r.url}/ready`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe(
  'three replicas through a 20 s database outage [own PostgreSQL]',
  { skip: ownPostgresSkip(), timeout: 300_000 },
  () => {
    it('serve every prediction, answer admin calls 503, and recover without a restart', async (t) => {
      const pg = await startOwnPostgres(t);
      const cluster = await startCluster({ databaseUrl: pg.url, replicas: 3, demo: true, env: ENV });
      t.after(() => cluster.stop().catch(() => undefined));
      const lb = await startHaproxy(cluster.replicas);
      t.after(() => lb.stop());
      const pids = cluster.replicas.map((r) => r.child.pid);

      const load = startLoad(lb.url, { concurrency: 6 });
      // a failed assertion must not leave the loops running (stop() twice is harmless)
      t.after(() => load.stop());
      // every replica has verified the key (and cached it) before the database goes
      await new Promise((r) => setTimeout(r, 2000));
      await pg.stop('fast');
      const stoppedAt = Date.now();

      // admin calls: 503 DATABASE_UNAVAILABLE, problem+json, nothing internal
      await new Promise((r) => setTimeout(r, 2000));
      for (const r of cluster.replicas) {
        const res = await fetch(`${r.url}/v1/models`, {
          headers: { authorization: `Bearer ${CLUSTER_ADMIN_KEY}` },
        });
        const text = await res.text();
        assert.equal(res.status, 503, `${r.name}: ${text}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        const body = JSON.parse(text) as Record<string, unknown>;
        assert.equal(body.code, 'DATABASE_UNAVAILABLE');
        assert.equal(res.headers.get('retry-after'), '5');
        assert.equal(body.stack, undefined);
        assert.ok(!/ECONN|SQLSTATE|postgres|at .*\.js|\n/i.test(text), `no internals: ${text}`);
        const promote = await call(r.url, 'POST', '/v1/models/breast-cancer/promote', { version: '1.1.0' });
        assert.equal(promote.status, 503, JSON.stringify(promote.body));
        assert.equal((promote.body as { code: string }).code, 'DATABASE_UNAVAILABLE');
      }
      // ready, with the note, on every replica: haproxy keeps all three
      for (const r of cluster.replicas) {
        const ready = await readyBody(r);
        assert.equal(ready.status, 200, `${r.name}: ${JSON.stringify(ready.body)}`);
        assert.equal(ready.body.database, 'unavailable');
        assert.equal((await metrics(r)).value('modelgate_database_up'), 0);
      }

      await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - stoppedAt)));
      const during = await Promise.all(cluster.replicas.map(metrics));
      const dropped = during.map(
        (m) => m.value('modelgate_memory_dropped_total', { structure: 'prediction_log' }) ?? 0,
      );
      const held = during.map((m) => m.value('modelgate_memory_bytes', { structure: 'prediction_log' }) ?? 0);
      await pg.start();
      const restartedAt = Date.now();

      // recovery: admin calls answer again on every replica, without a restart
      const recovered: number[] = [];
      for (const r of cluster.replicas) {
        for (;;) {
          const res = await call(r.url, 'GET', '/v1/models');
          if (res.status === 200) break;
          assert.ok(
            Date.now() - restartedAt < 30_000,
            `${r.name} did not recover: ${JSON.stringify(res.body)}`,
          );
          await new Promise((res2) => setTimeout(res2, 100));
        }
        recovered.push(Date.now() - restartedAt);
      }
      const promote = await call(cluster.replicas[0]!.url, 'POST', '/v1/models/breast-cancer/promote', {
        version: '1.1.0',
      });
      assert.equal(promote.status, 200, JSON.stringify(promote.body));
      assert.equal(await servedVersion(cluster.replicas[0]!), '1.1.0');
      await new Promise((r) => setTimeout(r, 1000));
      const result = await load.stop();
      const after = await Promise.all(cluster.replicas.map(metrics));
      const readyAfter = await Promise.all(cluster.replicas.map(readyBody));

      console.log(
        `outage ${OUTAGE_MS / 1000} s: ${result.ok} predictions ok, ${result.failed} failed; ` +
          `prediction log held ${held.join('/')} bytes, dropped ${dropped.join('/')} rows by replica; ` +
          `admin calls answered again ${recovered.join('/')} ms after the database started`,
      );
      assert.equal(result.failed, 0, JSON.stringify(result.failures));
      assert.ok(result.ok > 300, `only ${result.ok} predictions`);
      assert.ok(
        dropped.every((n) => n > 0),
        `each replica dropped log rows past its bound: ${dropped.join(', ')}`,
      );
      assert.ok(Math.max(...recovered) < 15_000, `recovered after ${recovered.join(', ')} ms`);
      for (const [i, m] of after.entries()) assert.equal(m.value('modelgate_database_up'), 1, `r${i + 1}`);
      for (const r of readyAfter) assert.equal(r.body.database, 'available');
      assert.deepEqual(
        cluster.replicas.map((r) => r.child.pid),
        pids,
        'the same processes, never restarted',
      );
      assert.ok(cluster.replicas.every((r) => r.child.exitCode === null));
    });
  },
);
