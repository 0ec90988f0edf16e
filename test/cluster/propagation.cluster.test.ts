import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pgTestUrl } from '../helpers/databases.js';
import {
  call,
  servedVersion,
  startCluster,
  startHaproxy,
  startLoad,
  type Cluster,
  type Haproxy,
  type Replica,
} from '../helpers/cluster.js';
import { REPO } from '../helpers/server.js';

const url = pgTestUrl();
const REQUEST = JSON.parse(
  readFileSync(join(REPO, 'models/demo/breast-cancer/example-request.json'), 'utf8'),
) as unknown;

/** Milliseconds from `since` until `probe` is true (polled every 10 ms), or fails after `timeoutMs`. */
async function timeUntil(since: number, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  for (;;) {
    if (await probe()) return performance.now() - since;
    if (performance.now() - since > timeoutMs) assert.fail(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The version a replica's predict answers with, called directly (not through the balancer). */
async function answeredBy(r: Replica): Promise<string | undefined> {
  const res = await call(r.url, 'POST', '/v1/models/breast-cancer/predict', REQUEST);
  return res.status === 200 ? (res.body as { version: string }).version : undefined;
}

/**
 * Moves production through replica 1 (`path`) and measures, for every replica, when its /ready
 * names `version` as served (then its own predict must answer with it): from the call's start and
 * from its answer.
 */
async function moveAndMeasure(
  cluster: Cluster,
  path: string,
  body: unknown,
  version: string,
): Promise<{ fromStart: number[]; fromAnswer: number[] }> {
  const started = performance.now();
  const res = await call(cluster.replicas[0]!.url, 'POST', path, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const answered = performance.now();
  const reached = await Promise.all(
    cluster.replicas.map(async (r) => {
      const ms = await timeUntil(started, async () => (await servedVersion(r)) === version);
      // a request sent once /ready names it is answered by it
      assert.equal(await answeredBy(r), version, r.name);
      return ms;
    }),
  );
  return { fromStart: reached, fromAnswer: reached.map((ms) => Math.max(0, ms - (answered - started))) };
}

const fmt = (ms: number[]) => ms.map((x) => `${x.toFixed(0)} ms`).join(', ');

describe(
  'three replicas behind haproxy: a change through one reaches all',
  { skip: url ? false : 'MODELGATE_TEST_DATABASE_URL is not set', timeout: 240_000 },
  () => {
    let cluster: Cluster;
    let lb: Haproxy;
    before(async () => {
      cluster = await startCluster({ databaseUrl: url!, replicas: 3, demo: true });
      lb = await startHaproxy(cluster.replicas);
    });
    after(async () => {
      await lb?.stop();
      await cluster?.stop();
    });

    it('promote and rollback through replica 1: every replica switches within 1 s, no request fails', async (t) => {
      assert.deepEqual(await Promise.all(cluster.replicas.map((r) => servedVersion(r))), [
        '1.0.0',
        '1.0.0',
        '1.0.0',
      ]);
      const load = startLoad(lb.url, { concurrency: 4 });
      try {
        await new Promise((r) => setTimeout(r, 500));
        const promote = await moveAndMeasure(
          cluster,
          '/v1/models/breast-cancer/promote',
          { version: '1.1.0' },
          '1.1.0',
        );
        await new Promise((r) => setTimeout(r, 500));
        const rollback = await moveAndMeasure(cluster, '/v1/models/breast-cancer/rollback', {}, '1.0.0');
        await new Promise((r) => setTimeout(r, 500));
        const result = await load.stop();
        const report =
          `promote 1.1.0: replicas serve it ${fmt(promote.fromStart)} after the call started ` +
          `(${fmt(promote.fromAnswer)} after it answered); rollback: ${fmt(rollback.fromStart)} ` +
          `(${fmt(rollback.fromAnswer)}); load: ${result.ok} ok, ${result.failed} failed, ` +
          `versions ${JSON.stringify(result.versions)}`;
        t.diagnostic(report);
        console.log(`propagation.cluster: ${report}`);
        assert.equal(result.failed, 0, JSON.stringify(result.failures));
        assert.ok((result.versions['1.1.0'] ?? 0) > 0 && (result.versions['1.0.0'] ?? 0) > 0);
        for (const ms of [...promote.fromAnswer, ...rollback.fromAnswer])
          assert.ok(ms < 1_000, `a replica took ${ms.toFixed(0)} ms after the answer`);
      } finally {
        await load.stop();
      }
    });

    it('a key revoked through replica 1 is refused by replicas 2 and 3 within 1 s', async (t) => {
      const [r1, r2, r3] = cluster.replicas as [Replica, Replica, Replica];
      const created = await call(r1.url, 'POST', '/v1/keys', { name: 'app', scopes: ['predict'] });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { id, key } = created.body as { id: string; key: string };
      const status = async (r: Replica) =>
        (await call(r.url, 'POST', '/v1/models/breast-cancer/predict', REQUEST, key)).status;
      // accepted everywhere, so replicas 2 and 3 hold it in their key cache (authCacheTtlMs 5 s)
      assert.deepEqual(await Promise.all([r1, r2, r3].map(status)), [200, 200, 200]);
      const started = performance.now();
      const revoked = await call(r1.url, 'DELETE', `/v1/keys/${id}`);
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      const answered = performance.now() - started;
      const refused = await Promise.all(
        [r2, r3].map((r) => timeUntil(started, async () => (await status(r)) === 401)),
      );
      const report = `key revoke: 401 on replicas 2, 3 after ${fmt(refused)} (the revoke answered in ${answered.toFixed(0)} ms)`;
      t.diagnostic(report);
      console.log(`propagation.cluster: ${report}`);
      for (const ms of refused) assert.ok(ms < 1_000, `refused only after ${ms.toFixed(0)} ms`);
    });
  },
);
