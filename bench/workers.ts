// npm run bench: `serve --workers N` scaling. Single-row predict on the demo model, 16 concurrent
// connections (wrk, or autocannon in this process: bench/lib/load.ts), against modelgate with 1
// worker (one process, no primary), with 2 workers (a primary and two workers on one port), and
// the bare node:http + onnxruntime-node server. Rounds alternate between the three so drift on a
// noisy machine hits all of them; ratios are taken within this run. The load generator shares the machine's cores
// with the servers: on a 2-core machine two workers compete with it for the CPU.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { postLoad } from './lib/load.js';
import { cpuMs } from './lib/process-cpu.js';
import { writeResults, type BenchRow } from './lib/results.js';

const MODEL_DIR = join(ROOT, 'models/demo/breast-cancer/1.0.0');
const BODY = readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the server's processes (primary and workers) per request, µs */
  cpuUs: number;
  /** cores the server's processes kept busy on average */
  cores: number;
}

async function load(
  pid: number,
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<Run> {
  const cpu0 = cpuMs(pid);
  const started = performance.now();
  const result = await postLoad({ url, headers, body: BODY, connections: CONNECTIONS, seconds });
  const cpu = (cpuMs(pid) - cpu0) / 1000;
  const wall = (performance.now() - started) / 1000;
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    cpuUs: (cpu / result.total) * 1e6,
    cores: cpu / wall,
  };
}

const home = mkdtempSync(join(tmpdir(), 'modelgate-bench-workers-'));
const admin = generateApiKey().key;
const servers: Array<{ child: { kill(): unknown; pid?: number | undefined } }> = [];

/** modelgate as `npm start` runs it (dist/), every feature on, the rate limit out of reach. */
async function modelgate(workers: number) {
  const server = await spawnListening(
    ['dist/cli/index.js', 'serve', '--demo', '--port', '0', '--workers', String(workers)],
    {
      MODELGATE_HOME: join(home, `data-${workers}`),
      MODELGATE_ADMIN_KEY: admin,
      MODELGATE_LOG_LEVEL: 'info',
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
    },
    join(home, `modelgate-${workers}.log`),
  );
  servers.push(server);
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const { key } = await new ModelgateClient({ baseUrl, apiKey: admin }).createKey('bench', ['predict']);
  return {
    pid: server.child.pid!,
    url: `${baseUrl}/v1/models/breast-cancer/predict`,
    headers: { authorization: `Bearer ${key}` },
  };
}

try {
  const bare = await spawnListening(
    ['--import', 'tsx', 'bench/bare-server.ts', MODEL_DIR, '0'],
    {},
    join(home, 'bare.log'),
  );
  servers.push(bare);
  const targets = {
    bare: { pid: bare.child.pid!, url: `http://127.0.0.1:${bare.port}/predict`, headers: {} },
    'workers 1': await modelgate(1),
    'workers 2': await modelgate(2),
  };
  type Name = keyof typeof targets;
  const names = Object.keys(targets) as Name[];
  const run = (n: Name, seconds: number) => load(targets[n].pid, targets[n].url, targets[n].headers, seconds);
  for (const name of names) await run(name, 2); // warm-up
  const runs = Object.fromEntries(names.map((n) => [n, [] as Run[]])) as Record<Name, Run[]>;
  const load1 = loadavg()[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const r = await run(name, SECONDS);
      runs[name].push(r);
      console.error(
        `round ${round + 1} ${name}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms, ${r.cores.toFixed(2)} cores`,
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = Object.fromEntries(
    names.map((n) => [
      n,
      {
        rps: mean(runs[n].map((r) => r.rps)),
        p50: mean(runs[n].map((r) => r.p50)),
        p99: mean(runs[n].map((r) => r.p99)),
        cpuUs: mean(runs[n].map((r) => r.cpuUs)),
        cores: mean(runs[n].map((r) => r.cores)),
      },
    ]),
  ) as Record<Name, Run>;
  console.log(
    `\nworkers: single-row predict, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server, ` +
      `${availableParallelism()} CPUs, load average ${load1.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}, node ${process.version}\n`,
  );
  console.log('| server | req/s | p50 ms | p99 ms | / bare | server CPU µs per request | cores busy |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of names)
    console.log(
      `| ${n} | ${s[n].rps.toFixed(0)} | ${s[n].p50.toFixed(2)} | ${s[n].p99.toFixed(2)} | ${(s[n].rps / s.bare.rps).toFixed(2)} | ${s[n].cpuUs.toFixed(0)} | ${s[n].cores.toFixed(2)} |`,
    );
  console.log(
    `\nscaling workers 2 / workers 1 throughput: ${(s['workers 2'].rps / s['workers 1'].rps).toFixed(2)}`,
  );
  const rows: BenchRow[] = names.map((n) => ({
    workload: 'trees, 1 row, workers',
    server: n === 'bare' ? 'bare' : `modelgate --${n}`,
    connections: CONNECTIONS,
    rps: s[n].rps,
    p50Ms: s[n].p50,
    p99Ms: s[n].p99,
  }));
  console.log(`results: ${writeResults('workers', rows)}`);
} finally {
  for (const server of servers) server.child.kill();
  rmSync(home, { recursive: true, force: true });
}
