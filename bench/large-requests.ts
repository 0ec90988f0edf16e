// npm run bench, large requests (issue 15, item 3): 1,000-row native predict requests on the demo
// tree model, through modelgate's full stack (`serve --demo`: API key, rate limit, body schema,
// per-version validation, metrics, log line, prediction log, drift window) and through the bare
// node:http + onnxruntime-node server doing the same inference. modelgate runs twice: as one
// process, like the bare server, and as `npm start` runs it, one worker per CPU (BENCH_WORKERS,
// default the CPUs available). Rounds alternate between the servers so drift on a noisy machine
// hits all; the ratios of rows/s are taken within this run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { postLoad } from './lib/load.js';
import { cpuMs } from './lib/process-cpu.js';
import { writeResults, type BenchRow } from './lib/results.js';

const MODEL_DIR = join(ROOT, 'models/demo/breast-cancer/1.0.0');
const ROWS = Number(process.env.BENCH_ROWS ?? 1000);
// 4 connections keep both cores busy with requests this large
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// profiling: BENCH_ONLY=modelgate with MODELGATE_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
const ONLY = process.env.BENCH_ONLY;
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());

/**
 * ROWS records: the example request's row with every value moved by up to ±5% (a fixed-seed
 * PRNG, 4 significant digits, kept inside the manifest's ranges), so rows differ as real ones do.
 */
function largeBody(): string {
  const example = JSON.parse(
    readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8'),
  ) as { instances: Array<Record<string, number>> };
  const manifest = parse(readFileSync(join(MODEL_DIR, 'manifest.yaml'), 'utf8')) as {
    features: Array<{ name: string; min?: number; max?: number }>;
  };
  const base = example.instances[0]!;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const instances = Array.from({ length: ROWS }, () =>
    Object.fromEntries(
      manifest.features.map((f) => {
        const moved = Number((base[f.name]! * (0.95 + 0.1 * random())).toPrecision(4));
        return [f.name, Math.min(f.max ?? Infinity, Math.max(f.min ?? -Infinity, moved))];
      }),
    ),
  );
  return JSON.stringify({ instances });
}

const BODY = largeBody();

interface Result {
  rowsPerSecond: number;
  rps: number;
  p50: number;
  p99: number;
  /** the server process's CPU time (all threads) per 1,000 rows answered */
  cpuMsPer1000Rows: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  pid?: number,
): Promise<Result> {
  const cpuBefore = cpuMs(pid);
  const r = await postLoad({ url, headers, body: BODY, connections: CONNECTIONS, seconds });
  // total answered over the whole run (the per-second average drops seconds with no answer)
  const rps = r.total / r.seconds;
  const cpuMsPer1000Rows = ((cpuMs(pid) - cpuBefore) / (r.total * ROWS)) * 1000;
  return { rowsPerSecond: rps * ROWS, rps, p50: r.p50, p99: r.p99, cpuMsPer1000Rows };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const home = mkdtempSync(join(tmpdir(), 'modelgate-bench-large-'));
const admin = generateApiKey().key;
const bare = await spawnListening(
  ['--import', 'tsx', 'bench/bare-server.ts', MODEL_DIR, '0'],
  {},
  join(home, 'bare.log'),
);
// modelgate as `npm start` runs it (npm run bench builds dist/ first); MODELGATE_NODE_ARGS adds
// node flags for profiling, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
const modelgate = (workers: number, name: string) =>
  spawnListening(
    [
      '--max-semi-space-size=8',
      ...(process.env.MODELGATE_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      'dist/cli/index.js',
      'serve',
      '--demo',
      '--port',
      '0',
    ],
    {
      MODELGATE_HOME: join(home, name),
      MODELGATE_ADMIN_KEY: admin,
      MODELGATE_LOG_LEVEL: 'info',
      MODELGATE_WORKERS: String(workers),
      // the rate limiter still runs on every request; the limit is just out of reach of the load
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
      // likewise load shedding: still checked on every request, but a shared machine's lag spikes
      // (seconds, with other jobs running) would turn a throughput run into a run of 503s
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '10000',
    },
    join(home, `${name}.log`),
  );
const one = await modelgate(1, 'modelgate');
const many = await modelgate(WORKERS, 'workers');
const WORKERS_NAME = `modelgate --workers ${WORKERS}`;
try {
  const key = async (url: string) =>
    (await new ModelgateClient({ baseUrl: url, apiKey: admin }).createKey('bench', ['predict'])).key;
  const targets: Record<string, { url: string; headers: Record<string, string>; pid?: number }> = {
    bare: { url: `http://127.0.0.1:${bare.port}/predict`, headers: {}, pid: bare.child.pid },
    modelgate: {
      url: `${one.url}/v1/models/breast-cancer/predict`,
      headers: { authorization: `Bearer ${await key(one.url)}` },
      pid: one.child.pid,
    },
    [WORKERS_NAME]: {
      url: `${many.url}/v1/models/breast-cancer/predict`,
      headers: { authorization: `Bearer ${await key(many.url)}` },
      pid: many.child.pid,
    },
  };
  // both answer the same labels for the same body, or the comparison is not like for like
  const answers = await Promise.all(
    Object.values(targets).map(async (t) => {
      const res = await fetch(t.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...t.headers },
        body: BODY,
      });
      if (!res.ok) throw new Error(`${t.url}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { predictions: Array<{ label: string }> }).predictions.map(
        (p) => p.label,
      );
    }),
  );
  if (answers[0]!.length !== ROWS || answers.some((a) => a.join() !== answers[0]!.join()))
    throw new Error('the bare server and modelgate answer different labels for the same rows');

  const names = Object.keys(targets).filter((n) => ONLY === undefined || ONLY === n);
  for (const n of names) await load(targets[n]!.url, targets[n]!.headers, 2); // warm-up
  const runs: Record<string, Result[]> = Object.fromEntries(names.map((n) => [n, []]));
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      loads.push(loadavg()[0]!);
      const t = targets[name]!;
      const r = await load(t.url, t.headers, SECONDS, t.pid);
      runs[name]!.push(r);
      console.error(
        `round ${round + 1} ${name}: ${r.rowsPerSecond.toFixed(0)} rows/s (${r.rps.toFixed(1)} req/s) p50 ${r.p50} ms p99 ${r.p99} ms, ${r.cpuMsPer1000Rows.toFixed(1)} CPU ms per 1,000 rows`,
      );
    }
  }
  const summary = Object.fromEntries(
    Object.entries(runs)
      .filter(([, rs]) => rs.length > 0)
      .map(([k, rs]) => [
        k,
        {
          rowsPerSecond: mean(rs.map((r) => r.rowsPerSecond)),
          p50: mean(rs.map((r) => r.p50)),
          p99: mean(rs.map((r) => r.p99)),
          cpu: mean(rs.map((r) => r.cpuMsPer1000Rows)),
        },
      ]),
  ) as Record<string, { rowsPerSecond: number; p50: number; p99: number; cpu: number }>;
  console.log(
    `\n${ROWS}-row predict (${(BODY.length / 1024).toFixed(0)} KiB), ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, node ${process.version}, load average at round starts ${loads.map((l) => l.toFixed(2)).join(' ')}\n`,
  );
  console.log('| server | rows/s | p50 ms | p99 ms | server CPU ms per 1,000 rows |');
  console.log('|---|---|---|---|---|');
  for (const [name, s] of Object.entries(summary))
    console.log(
      `| ${name} | ${s.rowsPerSecond.toFixed(0)} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} | ${s.cpu.toFixed(1)} |`,
    );
  for (const name of ['modelgate', WORKERS_NAME]) {
    const m = summary[name];
    const b = summary.bare;
    if (!m || !b) continue;
    console.log(
      `\nratio ${name} / bare rows/s: ${(m.rowsPerSecond / b.rowsPerSecond).toFixed(3)} (target >= 0.8)`,
    );
    // on a shared machine the CPU each server spends per row varies less than its throughput
    console.log(`ratio bare / ${name} CPU per row: ${(b.cpu / m.cpu).toFixed(3)}`);
  }
  const rows: BenchRow[] = Object.entries(runs)
    .filter(([, rs]) => rs.length > 0)
    .map(([server, rs]) => ({
      workload: `trees, ${ROWS} rows`,
      server,
      connections: CONNECTIONS,
      rps: mean(rs.map((r) => r.rps)),
      rowsPerSecond: mean(rs.map((r) => r.rowsPerSecond)),
      p50Ms: mean(rs.map((r) => r.p50)),
      p99Ms: mean(rs.map((r) => r.p99)),
    }));
  if (!process.env.BENCH_ONLY) console.log(`results: ${writeResults('large-requests', rows)}`);
} finally {
  bare.child.kill();
  one.child.kill();
  many.child.kill();
  rmSync(home, { recursive: true, force: true });
}
