// Rollouts over three replicas (separate processes) on one PostgreSQL schema: a rollout started
// through replica 1 while all traffic goes to replicas 2 and 3 is judged on their windows and
// decided by one replica (the lease holder); when the leader is killed (-9), another continues
// from the persisted state within two analysis intervals, applying no step twice.
// Until change propagation is merged, replicas learn of an alias move only by their own reload,
// so the assertions are on the persisted rollouts, decisions and audit, not on served versions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelgateClient } from '../../src/client/client.js';
import { pgTestUrl } from '../helpers/databases.js';
import { demoRows } from '../helpers/demo-data.js';
import {
  call,
  CLUSTER_ADMIN_KEY,
  startCluster,
  startLoad,
  type Cluster,
  type Replica,
} from '../helpers/cluster.js';
import { DEMO } from '../helpers/server.js';

const url = pgTestUrl();
const INTERVAL_S = 4;

interface Check {
  name: string;
  candidate: { compared?: number; requests?: number };
}

interface Detail {
  id: string;
  state: string;
  step_index: number;
  reason: string | null;
  decisions: Array<{ step_index: number; look: number; verdict: string; action: string; writer?: string }>;
}

/** Varied rows of the held-out set: shadow comparisons need different inputs. */
const bodies = demoRows('test.csv').map((row) => ({ instances: [row] }));

async function rollout(base: string, id: string): Promise<Detail> {
  const r = await call(base, 'GET', `/v1/rollouts/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as Detail;
}

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every decision row of a rollout with its writer, from the database the replicas share. */
async function decisionRows(cluster: Cluster, id: string) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: cluster.databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ step_index: number; look: number; action: string; writer: string }>(
      `select step_index, look, action, writer from ${cluster.schema}.rollout_decisions where rollout_id = $1 order by id`,
      [id],
    );
    return r.rows;
  } finally {
    await c.end();
  }
}

async function leaders(cluster: Cluster): Promise<number[]> {
  return Promise.all(
    cluster.replicas.map(async (r) => {
      const text = await (
        await fetch(`${r.url}/metrics`, { headers: { authorization: `Bearer ${CLUSTER_ADMIN_KEY}` } })
      ).text();
      return Number(/^modelgate_rollout_leader (\d+)/m.exec(text)?.[1] ?? NaN);
    }),
  );
}

const writerOf = (r: Replica) => `-${r.child.pid}`;

describe(
  'a rollout over three replicas',
  { skip: url ? false : 'MODELGATE_TEST_DATABASE_URL is not set', timeout: 300_000 },
  () => {
    let cluster: Cluster;
    before(async () => {
      cluster = await startCluster({
        databaseUrl: url!,
        replicas: 3,
        demo: true,
        env: {
          MODELGATE_ROLLOUT_TICK_MS: '200',
          MODELGATE_CLUSTER_PUBLISH_MS: '200',
          MODELGATE_LEADER_LEASE_MS: '1500',
          MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0',
        },
      });
      const admin = new ModelgateClient({ baseUrl: cluster.replicas[0]!.url, apiKey: CLUSTER_ADMIN_KEY });
      await admin.registerVersion(join(DEMO, '1.2.0/manifest.yaml'));
    });
    after(async () => {
      await cluster?.stop();
    });

    /** Starts a rollout through replica 1, with load on replicas 2 and 3 only, until it ends. */
    async function run(candidate: string, plan: unknown) {
      const [r1, r2, r3] = cluster.replicas as [Replica, Replica, Replica];
      const started = await call(r1.url, 'POST', '/v1/models/breast-cancer/rollouts', { candidate, plan });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = (started.body as Detail).id;
      const loads = [r2, r3].map((r) => startLoad(r.url, { concurrency: 4, bodies }));
      try {
        const final = await until(
          `rollout of ${candidate}`,
          () => rollout(r1.url, id),
          (d) => d.state !== 'running',
          90_000,
        );
        return { id, final };
      } finally {
        // every load stops before any is judged: a failed assertion must leave none running
        const results = await Promise.all(loads.map((l) => l.stop()));
        for (const result of results) assert.equal(result.failed, 0, JSON.stringify(result.failures));
      }
    }

    it('rolls back the degraded 1.2.0 at the first look with enough comparisons, decided by one replica', async (t) => {
      const { id, final } = await run('1.2.0', {
        steps: [
          { type: 'smoke' },
          { type: 'shadow', percent: 100, duration: 2 * INTERVAL_S },
          { type: 'canary', weight: 50, duration: 2 * INTERVAL_S },
        ],
        interval: INTERVAL_S,
      });
      assert.equal(final.state, 'rolled_back', final.reason ?? '');
      assert.match(final.reason!, /shadow_agreement: candidate agrees with stable on 0\.\d+ of inputs/);
      // as in the single-replica test (rollouts.int): the shadow step fails at its first look with
      // at least min_requests comparisons in the (merged) window; looks before had fewer
      const rows = await decisionRows(cluster, id);
      const last = rows.at(-1)!;
      assert.deepEqual([last.step_index, last.action], [1, 'rolled_back']);
      const detail = (await rollout(cluster.replicas[1]!.url, id)) as unknown as {
        decisions: Array<{ step_index: number; look: number; verdict: string; checks: Check[] }>;
      };
      const shadowLooks = detail.decisions.filter((d) => d.step_index === 1).reverse();
      const compared = shadowLooks.map(
        (d) => d.checks.find((c) => c.name === 'shadow_agreement')?.candidate.compared ?? 0,
      );
      const firstJudged = compared.findIndex((n) => n >= 100);
      assert.equal(firstJudged, shadowLooks.length - 1, `comparisons per look: ${compared.join(', ')}`);
      assert.equal(shadowLooks.at(-1)!.verdict, 'fail');
      assert.ok(
        shadowLooks.slice(0, -1).every((d) => d.verdict === 'inconclusive'),
        JSON.stringify(shadowLooks.map((d) => d.verdict)),
      );
      t.diagnostic(
        `rolled back at look ${last.look} of the shadow step (${compared.join(', ')} comparisons)`,
      );
      assert.equal(new Set(rows.map((r) => r.writer)).size, 1, JSON.stringify(rows));
      const leader = await leaders(cluster);
      assert.deepEqual(
        leader.filter((x) => x === 1),
        [1],
        `exactly one leader: ${leader.join(',')}`,
      );
      const i = leader.indexOf(1);
      assert.ok(rows[0]!.writer.endsWith(writerOf(cluster.replicas[i]!)), `${rows[0]!.writer} is the leader`);
    });

    it('promotes the good 1.1.0 on traffic that only replicas 2 and 3 saw, decided by one replica', async () => {
      const { id, final } = await run('1.1.0', {
        steps: [
          { type: 'smoke' },
          { type: 'canary', weight: 50, duration: 2 * INTERVAL_S },
          { type: 'canary', weight: 100, duration: INTERVAL_S },
        ],
        interval: INTERVAL_S,
      });
      assert.equal(final.state, 'promoted', final.reason ?? '');
      const rows = await decisionRows(cluster, id);
      assert.equal(new Set(rows.map((r) => r.writer)).size, 1, JSON.stringify(rows));
      const looks = rows.map((r) => `${r.step_index}/${r.look}`);
      assert.equal(new Set(looks).size, looks.length, looks.join(' '));
      assert.deepEqual(
        rows.filter((r) => r.action === 'advanced').map((r) => r.step_index),
        [0, 1, 2],
      );
      assert.ok(rows.every((r) => r.action !== 'rolled_back'));
      const detail = await rollout(cluster.replicas[2]!.url, id);
      const passed = detail.decisions.find(
        (d) => d.step_index === 1 && d.action === 'advanced',
      ) as unknown as {
        checks: Array<{ name: string; candidate: { requests?: number } }>;
      };
      const requests = passed.checks.find((c) => c.name === 'error_rate')!.candidate.requests!;
      assert.ok(requests >= 100, `the judge saw ${requests} candidate requests served by replicas 2 and 3`);
      const model = await call(cluster.replicas[0]!.url, 'GET', '/v1/models/breast-cancer');
      assert.equal((model.body as { aliases: { production: string } }).aliases.production, '1.1.0');
    });

    it('continues after the leader is killed (-9), within two intervals, applying no step twice', async (t) => {
      const [r1, r2, r3] = cluster.replicas as [Replica, Replica, Replica];
      const plan = {
        steps: [
          { type: 'smoke' },
          { type: 'canary', weight: 50, duration: 4 * INTERVAL_S },
          { type: 'canary', weight: 100, duration: INTERVAL_S },
        ],
        interval: INTERVAL_S,
      };
      // a good version rolls out over production (1.1.0 after the test before, else 1.0.0)
      const model = await call(r1.url, 'GET', '/v1/models/breast-cancer');
      const production = (model.body as { aliases: { production: string } }).aliases.production;
      const started = await call(r1.url, 'POST', '/v1/models/breast-cancer/rollouts', {
        candidate: production === '1.0.0' ? '1.1.0' : '1.0.0',
        plan,
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = (started.body as Detail).id;
      const loads = new Map([r2, r3].map((r) => [r, startLoad(r.url, { concurrency: 4, bodies })]));
      const everyLoad = [...loads.values()];
      t.after(() => Promise.all(everyLoad.map((l) => l.stop()))); // also when a step below throws
      const first = await until(
        'a look of the canary step',
        () => decisionRows(cluster, id),
        (rows) => rows.some((r) => r.step_index === 1),
      );
      const leaderIndex = cluster.replicas.findIndex((r) => first[0]!.writer.endsWith(writerOf(r)));
      assert.ok(leaderIndex >= 0, `the writer ${first[0]!.writer} is one of the replicas`);
      const leader = cluster.replicas[leaderIndex]!;
      await loads.get(leader)?.stop(); // its clients would only see refused connections
      loads.delete(leader);
      const killedAt = Date.now();
      await leader.kill9();
      const survivor = cluster.replicas.find((r) => r !== leader)!;
      await until(
        'a decision by another replica',
        () => decisionRows(cluster, id),
        (rows) => rows.some((r) => r.writer !== first[0]!.writer),
      );
      const takeoverMs = Date.now() - killedAt;
      const final = await until(
        'the end of the rollout',
        () => rollout(survivor.url, id),
        (d) => d.state !== 'running',
      );
      const results = await Promise.all([...loads.values()].map((l) => l.stop()));
      for (const result of results) assert.equal(result.failed, 0, JSON.stringify(result.failures));
      assert.ok(takeoverMs < 2 * INTERVAL_S * 1000, `the next decision came ${takeoverMs} ms after the kill`);
      assert.equal(final.state, 'promoted', final.reason ?? '');
      t.diagnostic(
        `leader r${leaderIndex + 1} killed; next decision by another replica ${takeoverMs} ms later`,
      );
      const rows = await decisionRows(cluster, id);
      const looks = rows.map((r) => `${r.step_index}/${r.look}`);
      assert.equal(new Set(looks).size, looks.length, `a look decided twice: ${looks.join(' ')}`);
      for (const step of [0, 1, 2])
        assert.equal(
          rows.filter((r) => r.step_index === step && r.action === 'advanced').length,
          1,
          `step ${step}`,
        );
      assert.equal(new Set(rows.map((r) => r.writer)).size, 2, 'the old leader, then one new leader');
      const audit = await call(survivor.url, 'GET', '/v1/audit?model=breast-cancer&limit=200');
      const events = (audit.body as { events: Array<{ action: string; after: { rollout?: string } | null }> })
        .events;
      const mine = events.filter((e) => e.after?.rollout === id).map((e) => e.action);
      assert.equal(mine.filter((a) => a === 'rollout.promoted').length, 1, mine.join());
      assert.equal(mine.filter((a) => a === 'rollout.step_advanced').length, 2, mine.join());
      // the killed replica comes back on the same port for the suite's cleanup
      await cluster.restart(leaderIndex);
    });
  },
);
