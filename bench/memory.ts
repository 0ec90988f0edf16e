// npm run bench: the server's resident memory as `npm start` runs it (embedded, demo model,
// --max-semi-space-size=8): idle after start, through a 60 s single-row load, and over a soak
// (BENCH_SOAK_SECONDS, 300) at 16 connections, sampled from /proc/<pid>/status every second.
// BENCH_NODE_ARGS replaces the Node options (space-separated) to price a V8 flag's memory.
// Targets (issue 15): ≤ 150 MB idle, ≤ 200 MB after 60 s of load, flat over the soak. Writes
// bench/results/memory-trajectory.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { RESULTS_DIR } from './lib/results.js';

const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const BODY = readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8');

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round((Number(m![1]) / 1024) * 10) / 10;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const home = mkdtempSync(join(tmpdir(), 'modelgate-bench-memory-'));
const admin = generateApiKey().key;
const server = await spawnListening(
  [
    ...(process.env.BENCH_NODE_ARGS ?? '--max-semi-space-size=8').split(' '),
    'dist/cli/index.js',
    'serve',
    '--demo',
    '--port',
    '0',
  ],
  {
    MODELGATE_HOME: join(home, 'data'),
    MODELGATE_ADMIN_KEY: admin,
    MODELGATE_LOG_LEVEL: 'info',
    MODELGATE_WORKERS: '1',
    MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
  },
  join(home, 'server.log'),
);
const pid = server.child.pid!;
try {
  const { key } = await new ModelgateClient({ baseUrl: server.url, apiKey: admin }).createKey('bench', [
    'predict',
  ]);
  await sleep(IDLE_SECONDS * 1000);
  const idle = rssMb(pid);
  console.error(`idle after ${IDLE_SECONDS} s: ${idle} MB`);
  const trajectory: Array<{ second: number; rssMb: number }> = [];
  const started = Date.now();
  const sampler = setInterval(() => {
    trajectory.push({ second: Math.round((Date.now() - started) / 1000), rssMb: rssMb(pid) });
  }, 1000);
  const result = await autocannon({
    url: `${server.url}/v1/models/breast-cancer/predict`,
    method: 'POST',
    connections: 16,
    duration: Math.max(60, SOAK_SECONDS),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: BODY,
  });
  clearInterval(sampler);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
  const at = (s: number) => trajectory.find((t) => t.second >= s)?.rssMb ?? NaN;
  const after60 = at(60);
  const tail = trajectory.filter((t) => t.second >= 60);
  const peak = Math.max(...trajectory.map((t) => t.rssMb));
  const tailMax = Math.max(...tail.map((t) => t.rssMb));
  const tailMin = Math.min(...tail.map((t) => t.rssMb));
  const every30 = trajectory.filter((t) => t.second % 30 === 0 && t.second > 0);
  console.log(
    `\nmemory (RSS) of \`npm start\`'s server, node ${process.version}, ${result.requests.average.toFixed(0)} req/s over ${trajectory.length} s, load average ${loadavg()[0]!.toFixed(2)}\n`,
  );
  console.log(`| idle | after 60 s of load | peak | from 60 s to the end (min–max) |`);
  console.log('|---|---|---|---|');
  console.log(`| ${idle} MB | ${after60} MB | ${peak} MB | ${tailMin}–${tailMax} MB |`);
  console.log(`\ntrajectory (every 30 s): ${every30.map((t) => `${t.second}s ${t.rssMb}`).join(', ')}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, 'memory-trajectory.json'),
    `${JSON.stringify({ at: new Date().toISOString(), node: process.version, idleMb: idle, after60Mb: after60, peakMb: peak, rps: result.requests.average, trajectory }, null, 2)}\n`,
  );
} finally {
  server.child.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
}
