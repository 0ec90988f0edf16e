// Three replicas on one PostgreSQL schema and one Redis: a principal's limit holds for the
// cluster, not per replica, and an Idempotency-Key is shared (through PostgreSQL).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pgTestUrl } from '../helpers/databases.js';
import { CLUSTER_ADMIN_KEY, startCluster, type Cluster } from '../helpers/cluster.js';
import { parse } from '../helpers/prom-text.js';
import { randomPrefix, redisSkip, takeKeys, TEST_REDIS_URL } from '../helpers/redis.js';
import { REPO } from '../helpers/server.js';

const url = pgTestUrl();
const LIMIT = 600;
const SENT = 1200;
const body = readFileSync(join(REPO, 'models/demo/breast-cancer/example-request.json'), 'utf8');

function predict(base: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/v1/models/breast-cancer/predict`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CLUSTER_ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
    body,
  });
}

describe(
  'three replicas on one Redis',
  {
    skip: !url ? 'MODELGATE_TEST_DATABASE_URL is not set' : redisSkip(),
    timeout: 240_000,
  },
  () => {
    let cluster: Cluster;
    const prefix = randomPrefix();
    before(async () => {
      cluster = await startCluster({
        databaseUrl: url!,
        replicas: 3,
        demo: true,
        env: {
          MODELGATE_REDIS_URL: TEST_REDIS_URL,
          MODELGATE_REDIS_KEY_PREFIX: prefix,
          MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: String(LIMIT),
          // counting is measured here, not timeouts: a loaded test machine must not fail open
          MODELGATE_REDIS_COMMAND_TIMEOUT_MS: '2000',
          MODELGATE_METRICS_PUBLIC: 'true',
        },
      });
    });
    after(async () => {
      await cluster?.stop();
      await takeKeys(TEST_REDIS_URL, prefix);
    });

    it(`admit ${LIMIT} predictions a minute for one principal across all replicas`, async () => {
      const bases = cluster.replicas.map((r) => r.url);
      const statuses: Record<number, number> = {};
      const admittedBy = bases.map(() => 0);
      let next = 0;
      const started = Date.now();
      // 12 concurrent loops; request i goes to replica i mod 3
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          while (next < SENT) {
            const i = next++;
            const res = await predict(bases[i % 3]!);
            await res.arrayBuffer();
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status === 200) admittedBy[i % 3]!++;
          }
        }),
      );
      const seconds = (Date.now() - started) / 1000;
      // all inside one window: the window opened at the first request and lasts a minute
      assert.ok(seconds < 55, `sent in ${seconds} s`);
      const admitted = statuses[200] ?? 0;
      console.log(
        `admitted ${admitted} of ${SENT} in ${seconds.toFixed(1)} s (per replica ${admittedBy.join(', ')}); statuses ${JSON.stringify(statuses)}`,
      );
      assert.ok(admitted >= LIMIT * 0.95 && admitted <= LIMIT * 1.05, `admitted ${admitted}`);
      assert.equal((statuses[200] ?? 0) + (statuses[429] ?? 0), SENT, JSON.stringify(statuses));
      assert.ok(
        admittedBy.every((n) => n > LIMIT / 6),
        `every replica admitted a share: ${admittedBy.join(', ')}`,
      );
      for (const r of cluster.replicas) {
        const m = parse(await (await fetch(`${r.url}/metrics`)).text());
        assert.equal(m.value('modelgate_redis_up'), 1, r.name);
        assert.equal(m.value('modelgate_rate_limit_fail_open_total'), undefined, r.name);
      }
    });

    it('replay an Idempotency-Key sent to another replica (shared through PostgreSQL)', async () => {
      // a key of its own: the admin principal spent its minute's budget above
      const created = await fetch(`${cluster.replicas[0]!.url}/v1/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLUSTER_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'idem', scopes: ['predict'] }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { key } = (await created.json()) as { key: string };
      const key1 = `"${randomBytes(12).toString('hex')}"`;
      const send = (i: number) =>
        fetch(`${cluster.replicas[i]!.url}/v1/models/breast-cancer/predict`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'idempotency-key': key1,
          },
          body,
        });
      const first = await send(0);
      assert.equal(first.status, 200);
      const firstBody = (await first.json()) as { prediction_id: string };
      for (const i of [1, 2]) {
        const again = await send(i);
        assert.equal(again.status, 200);
        assert.equal(again.headers.get('idempotent-replayed'), 'true', `replica ${i + 1}`);
        assert.equal(
          ((await again.json()) as { prediction_id: string }).prediction_id,
          firstBody.prediction_id,
        );
      }
    });
  },
);
