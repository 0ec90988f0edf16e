// npm run bench: single-row predict over HTTP at 1, 16 and 64 concurrent connections, through modelgate's
// full stack (API key checked against the database, validation, routing, ids, JSON logs) and
// through a bare node:http + onnxruntime-node server doing the same inference. Rounds alternate
// between the two so drift on a noisy machine hits both; the ratio is taken within this run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { postLoad } from './lib/load.js';
import { writeResults, type BenchRow } from './lib/results.js';

const MODEL_DIR = join(ROOT, 'models/demo/breast-cancer/1.0.0');
const BODY = readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8');
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? process.env.BENCH_CONNECTIONS ?? '1,16,64')
  .split(',')
  .map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function load(url: string, headers: Record<string, string>, seconds: number, connections = 16) {
  const result = await postLoad({ url, headers, body: BODY, connections, seconds });
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    total: result.total,
  };
}

const home = mkdtempSync(join(tmpdir(), 'modelgate-bench-'));
const admin = generateApiKey().key;
const bare = await spawnListening(
  ['--import', 'tsx', 'bench/bare-server.ts', MODEL_DIR, '0'],
  {},
  join(home, 'bare.log'),
);
// modelgate as `npm start` runs it: the compiled dist/ (npm run bench builds it first)
const full = await spawnListening(
  ['--max-semi-space-size=8', 'dist/cli/index.js', 'serve', '--demo', '--port', '0'],
  {
    // one process, as the bare server: bench/workers.ts measures the workers
    MODELGATE_WORKERS: '1',
    MODELGATE_HOME: join(home, 'data'),
    MODELGATE_ADMIN_KEY: admin,
    MODELGATE_LOG_LEVEL: 'info',
    // the rate limiter still runs on every request; the limit is just out of reach of the load
    MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
  },
  join(home, 'modelgate.log'),
);
try {
  const fullUrl = `http://127.0.0.1:${full.port}`;
  const { key } = await new ModelgateClient({ baseUrl: fullUrl, apiKey: admin }).createKey('bench', [
    'predict',
  ]);
  const targets = {
    bare: { url: `http://127.0.0.1:${bare.port}/predict`, headers: {} },
    modelgate: {
      url: `${fullUrl}/v1/models/breast-cancer/predict`,
      headers: { authorization: `Bearer ${key}` },
    },
  };
  for (const t of Object.values(targets)) await load(t.url, t.headers, 2); // warm-up
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const rows: BenchRow[] = [];
  for (const connections of CONCURRENCY) {
    const runs: Record<keyof typeof targets, Array<Awaited<ReturnType<typeof load>>>> = {
      bare: [],
      modelgate: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['bare', 'modelgate'] as const) {
        const r = await load(targets[name].url, targets[name].headers, SECONDS, connections);
        runs[name].push(r);
        console.error(
          `${connections} connections, round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms`,
        );
      }
    }
    for (const [server, rs] of Object.entries(runs)) {
      rows.push({
        workload: 'trees, 1 row',
        server,
        connections,
        rps: mean(rs.map((r) => r.rps)),
        p50Ms: mean(rs.map((r) => r.p50)),
        p99Ms: mean(rs.map((r) => r.p99)),
      });
    }
  }
  console.log(
    `\nsingle-row predict, ${ROUNDS} × ${SECONDS} s per server and concurrency, node ${process.version}\n`,
  );
  console.log('| server | connections | req/s | p50 ms | p99 ms | ratio |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const bare = rows.find((b) => b.server === 'bare' && b.connections === r.connections)!;
    console.log(
      `| ${r.server} | ${r.connections} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(r.rps / bare.rps).toFixed(3)} |`,
    );
  }
  console.log(`results: ${writeResults('predict-overhead', rows)}`);
} finally {
  bare.child.kill();
  full.child.kill();
  rmSync(home, { recursive: true, force: true });
}
