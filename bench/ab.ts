// Compares builds of modelgate with each other and with the bare server, in one rotation:
//
//   npx tsx bench/ab.ts dist-before dist-after [...]
//
// Each argument is a compiled tree (a copy of dist/ made from another commit, kept beside dist/
// so that node_modules and models/ resolve). Every server runs as bench/predict-overhead.ts runs
// modelgate (one process, `serve --demo`, --max-semi-space-size=8); rounds go bare, A, B, … again
// and again, so drift on a noisy machine hits all, and the medians are compared. Besides req/s it
// reports each server's CPU time (all threads, /proc/<pid>/stat) per request, which moves less
// with the load generator's share of the machine. Knobs: AB_ROWS (1 row per request), AB_CONN
// (16), AB_SECS (5 per round), AB_ROUNDS (4); AB_FLAGS_<i> (Node options) and AB_ENV_<i>
// (`KEY=value …`) for the i-th build, e.g. AB_ENV_1="MODELGATE_PREDICTION_LOG=false" with the
// same tree twice to price a feature. AB_FLOOR=1 adds bench/fastify-floor-server.ts (the bare
// server inside Fastify) to the rotation: what Fastify itself costs.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';
import { postLoad } from './lib/load.js';
import { cpuMs } from './lib/process-cpu.js';

const trees = process.argv.slice(2);
if (trees.length === 0) throw new Error('usage: tsx bench/ab.ts <dist-dir> [<dist-dir> …]');
const ROWS = Number(process.env.AB_ROWS ?? 1);
const CONNECTIONS = Number(process.env.AB_CONN ?? 16);
const SECONDS = Number(process.env.AB_SECS ?? 5);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const MODEL_DIR = join(ROOT, 'models/demo/breast-cancer/1.0.0');

const example = JSON.parse(
  readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8'),
) as { instances: Array<Record<string, number>> };
const base = example.instances[0]!;
// rows that differ as real ones do: each value moved by up to 6%
const body = JSON.stringify({
  instances: Array.from({ length: ROWS }, (_, i) =>
    Object.fromEntries(
      Object.entries(base).map(([k, v]) => [k, Number((v * (1 + (i % 7) / 100)).toPrecision(4))]),
    ),
  ),
});

const listOf = (text: string | undefined) => (text ?? '').split(' ').filter(Boolean);
const home = mkdtempSync(join(tmpdir(), 'modelgate-ab-'));
const bare = await spawnListening(['--import', 'tsx', 'bench/bare-server.ts', MODEL_DIR, '0'], {});
const targets = [{ name: 'bare', url: `${bare.url}/predict`, headers: {}, pid: bare.child.pid! }];
const children = [bare.child];
if (process.env.AB_FLOOR === '1') {
  const floor = await spawnListening(
    ['--import', 'tsx', 'bench/fastify-floor-server.ts', MODEL_DIR, '0'],
    {},
  );
  targets.push({ name: 'fastify floor', url: `${floor.url}/predict`, headers: {}, pid: floor.child.pid! });
  children.push(floor.child);
}
try {
  for (const [i, tree] of trees.entries()) {
    const admin = generateApiKey().key;
    const env: Record<string, string> = {};
    for (const kv of listOf(process.env[`AB_ENV_${i}`])) {
      const at = kv.indexOf('=');
      env[kv.slice(0, at)] = kv.slice(at + 1);
    }
    const server = await spawnListening(
      [
        '--max-semi-space-size=8',
        ...listOf(process.env[`AB_FLAGS_${i}`]),
        `${tree}/cli/index.js`,
        'serve',
        '--demo',
        '--port',
        '0',
      ],
      {
        MODELGATE_WORKERS: '1',
        MODELGATE_HOME: join(home, `server-${i}`),
        MODELGATE_ADMIN_KEY: admin,
        MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
        // after the defaults, so that AB_ENV_<i> may change them (MODELGATE_WORKERS=2)
        ...env,
      },
    );
    children.push(server.child);
    const client = new ModelgateClient({ baseUrl: server.url, apiKey: admin });
    const { key } = await client.createKey('ab', ['predict']);
    targets.push({
      name: `${i}: ${tree}`,
      url: `${server.url}/v1/models/breast-cancer/predict`,
      headers: { authorization: `Bearer ${key}` },
      pid: server.child.pid!,
    });
  }

  const load = (t: (typeof targets)[number], seconds: number) =>
    postLoad({ url: t.url, headers: t.headers, body, connections: CONNECTIONS, seconds });

  for (const t of targets) await load(t, 2); // warm-up
  const runs = new Map(targets.map((t) => [t.name, [] as Array<{ rps: number; cpuUs: number }>]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const before = cpuMs(t.pid);
      const r = await load(t, SECONDS);
      runs.get(t.name)!.push({
        rps: r.rps,
        cpuUs: ((cpuMs(t.pid) - before) * 1000) / r.total,
      });
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const bareRps = median(runs.get('bare')!.map((r) => r.rps));
  console.log(
    `\n${ROWS}-row predict, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s per server\n\n` +
      '| server | median req/s | vs bare | CPU µs per request | req/s by round |\n|---|---|---|---|---|',
  );
  for (const t of targets) {
    const r = runs.get(t.name)!;
    const rps = median(r.map((x) => x.rps));
    console.log(
      `| ${t.name} | ${rps.toFixed(0)} | ${(rps / bareRps).toFixed(3)} | ` +
        `${median(r.map((x) => x.cpuUs)).toFixed(1)} | ${r.map((x) => x.rps.toFixed(0)).join(', ')} |`,
    );
  }
} finally {
  for (const c of children) c.kill('SIGKILL');
}
