// Memory under large requests: starts `modelgate serve --demo` (embedded SQLite, a temp home),
// sends predict requests of ROWS rows each from CONNECTIONS connections for SECONDS seconds, and
// samples the server's resident set size (/proc/<pid>/status) every 250 ms. Prints one JSON
// summary on stdout and exits 1 when the largest RSS passes MAX_RSS_MB.
//
//   npx tsx scripts/memory-load.ts [--seconds 60] [--rows 1000] [--connections 8] [--rate 0] [--max-rss-mb 400]
//
// Extra server settings go through the environment (MODELGATE_*), e.g. a smaller prediction log
// queue. test/e2e/memory-bound.test.ts runs it as part of `npm test`.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from './serve-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    rows: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '8' },
    'max-rss-mb': { type: 'string', default: '400' },
    // requests per second offered in all (0: as fast as the server answers)
    rate: { type: 'string', default: '0' },
    // as `npm start` and the image run the server (ADR 0011)
    'node-arg': { type: 'string', multiple: true, default: ['--max-semi-space-size=8'] },
  },
});
const SECONDS = Number(values.seconds);
const ROWS = Number(values.rows);
const CONNECTIONS = Number(values.connections);
const MAX_RSS_MB = Number(values['max-rss-mb']);
const RATE = Number(values.rate);

const example = JSON.parse(
  readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8'),
) as {
  instances: Array<Record<string, number>>;
};
const row = example.instances[0]!;
// rows that differ a little, so nothing downstream can share them
const body = JSON.stringify({
  instances: Array.from({ length: ROWS }, (_, i) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, Number((v * (1 + (i % 7) / 100)).toPrecision(6))]),
    ),
  ),
});

const home = mkdtempSync(join(tmpdir(), 'modelgate-memory-'));
const admin = generateApiKey().key;
const server = await spawnListening(
  [...values['node-arg'], '--import', 'tsx', 'src/cli/index.ts', 'serve', '--demo', '--port', '0'],
  {
    // the resident memory of one process (a worker of `serve --workers N` holds as much)
    MODELGATE_WORKERS: '1',
    MODELGATE_HOME: home,
    MODELGATE_ADMIN_KEY: admin,
    MODELGATE_METRICS_PUBLIC: 'true',
    // the limiter still runs on every request; the limit is just out of reach of the load
    MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
  },
);
const pid = server.child.pid!;
const rssMb = () => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
};

try {
  const samples: Array<{ s: number; rss_mb: number }> = [];
  const startRss = rssMb();
  const started = Date.now();
  const sampler = setInterval(() => {
    samples.push({ s: (Date.now() - started) / 1000, rss_mb: Math.round(rssMb()) });
  }, 250);
  const result = await autocannon({
    url: `${server.url}/v1/models/breast-cancer/predict`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(RATE > 0 ? { overallRate: RATE } : {}),
    timeout: 30,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body,
  });
  clearInterval(sampler);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const metric = (name: string) =>
    [...metrics.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))].map(
      (m) => `${m[1] ?? ''} ${m[2]}`,
    );
  const maxRss = Math.max(startRss, ...samples.map((s) => s.rss_mb));
  // the RSS at the end of each tenth of the run: whether it still climbs or has levelled off
  const tenths = Array.from({ length: 10 }, (_, i) =>
    Math.max(
      ...samples
        .filter((s) => s.s > (i * SECONDS) / 10 && s.s <= ((i + 1) * SECONDS) / 10)
        .map((s) => s.rss_mb),
      0,
    ),
  );
  const summary = {
    seconds: SECONDS,
    rows_per_request: ROWS,
    body_bytes: body.length,
    connections: CONNECTIONS,
    offered_per_second: RATE > 0 ? RATE : 'unlimited',
    requests: result.requests.total,
    ok: result['2xx'],
    non_2xx: result.non2xx,
    errors: result.errors,
    rss_start_mb: Math.round(startRss),
    rss_max_mb: Math.round(maxRss),
    rss_max_by_tenth_mb: tenths,
    max_rss_mb: MAX_RSS_MB,
    heap_used_bytes: metric('nodejs_heap_size_used_bytes'),
    heap_total_bytes: metric('nodejs_heap_size_total_bytes'),
    external_bytes: metric('nodejs_external_memory_bytes'),
    heap_spaces_bytes: metric('nodejs_heap_space_size_total_bytes'),
    memory_bytes: metric('modelgate_memory_bytes'),
    memory_dropped: metric('modelgate_memory_dropped_total'),
  };
  console.log(JSON.stringify(summary));
  if (maxRss > MAX_RSS_MB) process.exitCode = 1;
} finally {
  server.child.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
}
