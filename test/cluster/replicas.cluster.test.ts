import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pgTestUrl } from '../helpers/databases.js';
import {
  CLUSTER_ADMIN_KEY,
  servedVersion,
  startCluster,
  startHaproxy,
  startLoad,
  type Cluster,
  type Haproxy,
} from '../helpers/cluster.js';

const url = pgTestUrl();

describe(
  'two replicas on one PostgreSQL schema behind haproxy',
  { skip: url ? false : 'MODELGATE_TEST_DATABASE_URL is not set', timeout: 180_000 },
  () => {
    let cluster: Cluster;
    let lb: Haproxy;
    before(async () => {
      cluster = await startCluster({ databaseUrl: url!, replicas: 2, demo: true });
      lb = await startHaproxy(cluster.replicas);
    });
    after(async () => {
      await lb?.stop();
      await cluster?.stop();
    });

    it('serve the same production version and share the load without a failed request', async (t) => {
      assert.deepEqual(await Promise.all(cluster.replicas.map((r) => servedVersion(r))), ['1.0.0', '1.0.0']);
      const predictions = async (r: { url: string }) => {
        const text = await (
          await fetch(`${r.url}/metrics`, { headers: { authorization: `Bearer ${CLUSTER_ADMIN_KEY}` } })
        ).text();
        return [...text.matchAll(/^modelgate_predictions_total\{[^}]*\} (\d+)/gm)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      };
      const load = startLoad(lb.url, { concurrency: 4 });
      t.after(() => load.stop()); // a failed fetch must not leave the load running
      // until each replica answered 25 (round robin), however slow a loaded machine is
      let counts: number[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        counts = await Promise.all(cluster.replicas.map(predictions));
        if (counts.every((n) => n >= 25)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const result = await load.stop();
      assert.equal(result.failed, 0, JSON.stringify(result.failures));
      assert.deepEqual(Object.keys(result.versions), ['1.0.0']);
      assert.ok(
        counts.every((n) => n >= 25),
        `per-replica predictions ${counts.join(', ')}`,
      );
    });
  },
);
