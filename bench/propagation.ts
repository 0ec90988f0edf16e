// npm run bench: change propagation latency. Three replicas (separate processes, the built
// dist/) on one PostgreSQL schema; 20 promotions through replica 1, alternating 1.1.0 / 1.0.0;
// each is timed from the promote call's start to the moment the last replica's /ready says it
// serves the new version (state ready). Needs MODELGATE_TEST_DATABASE_URL (or DATABASE_URL).
import { nearestRank } from '../src/shared/nearest-rank.js';
import { call, startCluster } from '../test/helpers/cluster.js';

const url = process.env.MODELGATE_TEST_DATABASE_URL ?? process.env.DATABASE_URL;
const PROMOTIONS = Number(process.env.BENCH_PROMOTIONS ?? 20);
const REPLICAS = 3;

async function serving(base: string): Promise<string | undefined> {
  const res = await fetch(`${base}/ready`);
  const body = (await res.json()) as {
    models: Array<{ name: string; serving?: string | null; state: string }>;
  };
  const m = body.models.find((x) => x.name === 'breast-cancer');
  return m?.state === 'ready' ? (m.serving ?? undefined) : undefined;
}

if (!url) {
  console.log('\npropagation: skipped (set MODELGATE_TEST_DATABASE_URL to a PostgreSQL database)');
  process.exit(0);
}
const cluster = await startCluster({ databaseUrl: url, replicas: REPLICAS, demo: true });
try {
  const times: number[] = [];
  for (let i = 0; i < PROMOTIONS; i++) {
    const version = i % 2 === 0 ? '1.1.0' : '1.0.0';
    const started = performance.now();
    const res = await call(cluster.replicas[0]!.url, 'POST', '/v1/models/breast-cancer/promote', { version });
    if (res.status !== 200) throw new Error(`promote ${version}: ${res.status} ${JSON.stringify(res.body)}`);
    await Promise.all(
      cluster.replicas.map(async (r) => {
        while ((await serving(r.url)) !== version) {
          if (performance.now() - started > 30_000) throw new Error(`${r.name} never served ${version}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );
    times.push(performance.now() - started);
    console.error(`promotion ${i + 1} → ${version}: last replica after ${times.at(-1)!.toFixed(0)} ms`);
    // let the previous version's warm-up and the replicas settle between promotions
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `\npropagation: ${PROMOTIONS} promotions through replica 1 of ${REPLICAS}, promote start → last replica serving`,
  );
  console.log('| p50 ms | p99 ms | min ms | max ms |');
  console.log('|---|---|---|---|');
  console.log(
    `| ${nearestRank(sorted, 0.5).toFixed(0)} | ${nearestRank(sorted, 0.99).toFixed(0)} | ${sorted[0]!.toFixed(0)} | ${sorted.at(-1)!.toFixed(0)} |`,
  );
  // the first promotion loads 1.1.0 on every replica at once; later ones find it kept warm as previous
  console.log(`first promotion (1.1.0 loaded nowhere yet): ${times[0]!.toFixed(0)} ms`);
} finally {
  await cluster.stop();
}
