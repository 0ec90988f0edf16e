// npm run bench: single-row predict over HTTP, 16 concurrent connections, through modelgate's
// full stack (API key checked against the database, validation, routing, ids, JSON logs) and
// through a bare node:http + onnxruntime-node server doing the same inference. Rounds alternate
// between the two so drift on a noisy machine hits both; the ratio is taken within this run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';

const MODEL_DIR = join(ROOT, 'models/demo/breast-cancer/1.0.0');
const BODY = readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

async function load(url: string, headers: Record<string, string>, seconds: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...headers },
    body: BODY,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
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
  ['dist/cli/index.js', 'serve', '--demo', '--port', '0'],
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
  const runs: Record<keyof typeof targets, Array<Awaited<ReturnType<typeof load>>>> = {
    bare: [],
    modelgate: [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of ['bare', 'modelgate'] as const) {
      const r = await load(targets[name].url, targets[name].headers, SECONDS);
      runs[name].push(r);
      console.error(`round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const summary = Object.fromEntries(
    Object.entries(runs).map(([k, rs]) => [
      k,
      { rps: mean(rs.map((r) => r.rps)), p50: mean(rs.map((r) => r.p50)), p99: mean(rs.map((r) => r.p99)) },
    ]),
  ) as Record<'bare' | 'modelgate', { rps: number; p50: number; p99: number }>;
  const ratio = summary.modelgate.rps / summary.bare.rps;
  console.log(
    `\nsingle-row predict, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, node ${process.version}\n`,
  );
  console.log('| server | req/s | p50 ms | p99 ms |');
  console.log('|---|---|---|---|');
  for (const [name, s] of Object.entries(summary))
    console.log(`| ${name} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`);
  console.log(`\nratio modelgate / bare throughput: ${ratio.toFixed(3)} (target >= 0.8)`);
} finally {
  bare.child.kill();
  full.child.kill();
  rmSync(home, { recursive: true, force: true });
}
