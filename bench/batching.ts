// npm run bench, part 2: adaptive batching (ADR 0014). Dense networks generated with onnx.helper
// (bench/make-mlp.py, Debian's python3-onnx; nothing committed), single-row requests at 64
// connections, through modelgate's full stack and through the bare node:http + onnxruntime-node
// server (one ONNX Runtime call per request). Rounds alternate between the servers; ratios are
// taken within this run. Targets (issue 15): >= 3x the bare server on the ~1 ms MLP (width 3000),
// >= 1.5x on the ~150 us MLP (width 1536), p99 no worse than the bare server's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { postLoad } from './lib/load.js';
import { writeResults, type BenchRow } from './lib/results.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const FEATURES = 32;
const WORKLOADS = (process.env.BENCH_MLP_WIDTHS ?? '3000,1536').split(',').map(Number);

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

async function load(
  url: string,
  headers: Record<string, string>,
  body: string,
  seconds: number,
): Promise<Result> {
  const r = await postLoad({ url, headers, body, connections: CONNECTIONS, seconds });
  return { rps: r.rps, p50: r.p50, p99: r.p99 };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The mean requests per ONNX Runtime run, from modelgate's own histogram. */
async function requestsPerRun(url: string, key: string, model: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  const read = (name: string) =>
    Number(
      new RegExp(`^${name}\\{model="${model}",version="1.0.0"\\} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN,
    );
  return read('modelgate_batch_requests_sum') / read('modelgate_batch_requests_count');
}

const benchRows: BenchRow[] = [];

try {
  execFileSync('/usr/bin/python3', ['-c', 'import numpy, onnx'], { stdio: 'ignore' });
} catch {
  throw new Error(
    'bench/batching.ts builds its models with Python and onnx: install them first (Debian: apt-get install python3-numpy python3-onnx)',
  );
}

async function workload(width: number): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), `modelgate-bench-mlp${width}-`));
  const dir = join(home, 'model');
  execFileSync('/usr/bin/python3', [join(ROOT, 'bench/make-mlp.py'), dir, String(FEATURES), String(width)]);
  const body = readFileSync(join(dir, 'request.json'), 'utf8');
  const model = `mlp-${width}`;
  const admin = generateApiKey().key;
  const bare = await spawnListening(['--import', 'tsx', 'bench/bare-server.ts', dir, '0'], {});
  const full = await spawnListening(
    ['--max-semi-space-size=8', 'dist/cli/index.js', 'serve', '--port', '0'],
    {
      // one process, as the bare server: bench/workers.ts measures the workers
      MODELGATE_WORKERS: '1',
      MODELGATE_HOME: join(home, 'data'),
      MODELGATE_ADMIN_KEY: admin,
      MODELGATE_LOG_LEVEL: 'info',
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
      MODELGATE_MAX_BODY_BYTES: String(64 * 1024 * 1024),
      MODELGATE_MAX_ARTIFACT_BYTES: String(256 * 1024 * 1024),
    },
  );
  const fullUrl = `http://127.0.0.1:${full.port}`;
  try {
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['dist/cli/index.js', ...args], {
        cwd: ROOT,
        env: { ...process.env, MODELGATE_URL: fullUrl, MODELGATE_API_KEY: admin },
      });
    cli('models', 'register', join(dir, 'manifest.yaml'));
    cli('models', 'promote', model, '1.0.0');
    const targets = {
      bare: { url: `http://127.0.0.1:${bare.port}/predict`, headers: {} },
      modelgate: {
        url: `${fullUrl}/v1/models/${model}/predict`,
        headers: { authorization: `Bearer ${admin}` },
      },
    };
    for (const t of Object.values(targets)) await load(t.url, t.headers, body, 2); // warm-up
    const runs: Record<'bare' | 'modelgate', Result[]> = { bare: [], modelgate: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of ['bare', 'modelgate'] as const) {
        const r = await load(targets[name].url, targets[name].headers, body, SECONDS);
        runs[name].push(r);
        console.error(
          `${model} round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms`,
        );
      }
    }
    const s = (name: 'bare' | 'modelgate') => ({
      rps: mean(runs[name].map((r) => r.rps)),
      p99: mean(runs[name].map((r) => r.p99)),
    });
    const b = s('bare');
    const m = s('modelgate');
    for (const name of ['modelgate', 'bare'] as const) {
      benchRows.push({
        workload: `${model}, 1 row`,
        server: name,
        connections: CONNECTIONS,
        rps: mean(runs[name].map((r) => r.rps)),
        p50Ms: mean(runs[name].map((r) => r.p50)),
        p99Ms: mean(runs[name].map((r) => r.p99)),
      });
    }
    const perRun = await requestsPerRun(fullUrl, admin, model);
    return [
      `| ${model} (2 hidden layers of ${width}) | ${b.rps.toFixed(0)} | ${b.p99.toFixed(1)} | ${m.rps.toFixed(0)} | ${m.p99.toFixed(1)} | ${(m.rps / b.rps).toFixed(2)}× | ${perRun.toFixed(1)} |`,
    ];
  } finally {
    bare.child.kill();
    full.child.kill();
    rmSync(home, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const width of WORKLOADS) rows.push(...(await workload(width)));
console.log(
  `\nadaptive batching: single-row predict, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, node ${process.version}\n`,
);
console.log(
  '| model | bare req/s | bare p99 ms | modelgate req/s | modelgate p99 ms | ratio | requests per run |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`results: ${writeResults('batching', benchRows)}`);
