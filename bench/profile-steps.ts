// npm run bench (and on its own: `tsx bench/profile-steps.ts [dist-dir]`): where modelgate's CPU
// goes per single-row prediction, in µs per request, by step. The server runs under V8's sampling
// profiler (--cpu-prof) with every feature on, as bench/predict-overhead.ts runs it, and is
// loaded with autocannon; each sample of the load window goes to the first step found walking
// from the sampled frame up its stack (so JSON.stringify inside the prediction log counts as the
// prediction log, a socket write inside pino as the log line). The profiler adds its own overhead:
// compare steps within one run, and runs with each other, not with unprofiled throughput.
// Knobs: BENCH_PROFILE_SECONDS (10), BENCH_CONNECTIONS (16), BENCH_STEPS_JSON (write results).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { ModelgateClient } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from '../scripts/serve-process.js';

const DIST = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const BODY = readFileSync(join(ROOT, 'models/demo/breast-cancer/example-request.json'), 'utf8');
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

/** Steps in the order of the request, each by the code that owns a stack frame (url, function). */
export const STEPS: Array<[step: string, match: RegExp]> = [
  ['log line (pino)', /node_modules\/(pino|sonic-boom|fast-redact|thread-stream)\/|shared\/log-destination/],
  ['prediction log', /feedback\/prediction-log|node_modules\/better-sqlite3\//],
  ['drift windows', /modules\/monitoring\//],
  ['rollout routing and windows', /modules\/rollouts\//],
  ['metrics and traffic stats', /node_modules\/prom-client\/|observability\/|serving\/answer\./],
  ['authentication', /security\/|http\/authentication|node:internal\/crypto\/hash/],
  ['rate limit', /node_modules\/@fastify\/rate-limit\/|node_modules\/(ipaddr\.js|proxy-addr)\//],
  ['load shedding', /node_modules\/@fastify\/under-pressure\//],
  ['idempotency hooks', /http\/idempotency/],
  [
    'JSON parsing and limits',
    /node_modules\/secure-json-parse\/|http\/(json-limits|plain-json)|forbidden-json-key/,
  ],
  ['schema validation (body, version contract)', /serving\/instance-validator|^validate\d*@/],
  ['input encoding', /serving\/(input-codec|tensor-batch)/],
  ['ONNX Runtime', /node_modules\/onnxruntime-(node|common)\//],
  ['output decoding', /serving\/(output-plan|float32|class-labels)/],
  ['batching, breaker, routing to a version', /serving\/|node_modules\/opossum\//],
  ['response serialization', /node_modules\/fast-json-stringify\//],
  ['ids (request, prediction)', /node_modules\/uuid\/|node:internal\/crypto\/random/],
  ['security headers, request hooks', /http\/(hardening|build-app|routes\/)/],
  ['Fastify (routing, hooks, reply)', /node_modules\/(fastify|find-my-way|avvio|light-my-request)\//],
  [
    'HTTP and sockets (node:http)',
    /node:(_http_|net|internal\/streams|internal\/http|internal\/stream_base)/,
  ],
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** µs of main-thread time per step over [fromUs, toUs] of the profile, plus idle and GC. */
export function attribute(p: Profile, fromUs: number, toUs: number): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const stepOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = stepOf.get(id);
    if (known) return known;
    const leaf = byId.get(id)!.callFrame.functionName;
    let step: string | undefined;
    if (leaf === '(idle)') step = 'idle';
    else if (leaf === '(garbage collector)') step = 'garbage collection';
    else if (leaf === '(program)') step = 'V8 and native (program)';
    for (let cur: number | undefined = id; step === undefined && cur !== undefined; cur = parent.get(cur)) {
      const { url, functionName } = byId.get(cur)!.callFrame;
      const key = url === '' ? `${functionName}@` : url;
      step = STEPS.find(([, re]) => re.test(key))?.[0];
    }
    step ??= 'other';
    stepOf.set(id, step);
    return step;
  };
  const out = new Map<string, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || t > toUs) continue;
    const step = classify(p.samples[i]!);
    out.set(step, (out.get(step) ?? 0) + dt);
  }
  return out;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'modelgate-steps-'));
  const profDir = join(home, 'prof');
  const admin = generateApiKey().key;
  const server = await spawnListening(
    ['--cpu-prof', `--cpu-prof-dir=${profDir}`, join(DIST, 'cli/index.js'), 'serve', '--demo', '--port', '0'],
    {
      MODELGATE_HOME: join(home, 'data'),
      MODELGATE_ADMIN_KEY: admin,
      MODELGATE_LOG_LEVEL: 'info',
      MODELGATE_WORKERS: '1',
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '1000000000',
    },
    join(home, 'server.log'),
  );
  try {
    const { key } = await new ModelgateClient({ baseUrl: server.url, apiKey: admin }).createKey('bench', [
      'predict',
    ]);
    const load = (duration: number) =>
      autocannon({
        url: `${server.url}/v1/models/breast-cancer/predict`,
        method: 'POST',
        connections: CONNECTIONS,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: BODY,
      });
    await load(2); // warm-up
    const result = await load(SECONDS);
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    const stopped = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGINT');
    await stopped;
    if (process.env.BENCH_PROFILE_KEEP)
      rmSync(process.env.BENCH_PROFILE_KEEP, { recursive: true, force: true });
    if (process.env.BENCH_PROFILE_KEEP)
      (await import('node:fs')).cpSync(profDir, process.env.BENCH_PROFILE_KEEP, { recursive: true });
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
    const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as Profile;
    // the load window: the last SECONDS before the server was told to stop, less its shutdown
    const to = profile.endTime - 300_000;
    const steps = attribute(profile, to - SECONDS * 1e6 + 200_000, to);
    const requests = result.requests.total * ((SECONDS - 0.2) / SECONDS);
    const busy = [...steps].filter(([s]) => s !== 'idle').reduce((a, [, us]) => a + us, 0);
    const rows = [...steps]
      .filter(([s]) => s !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([step, us]) => ({ step, usPerRequest: us / requests, share: us / busy }));
    console.log(
      `\nwhere the CPU goes: ${result.requests.average.toFixed(0)} req/s under the profiler, ${CONNECTIONS} connections, ` +
        `${(busy / requests).toFixed(0)} µs of main-thread time per request (${DIST})\n`,
    );
    console.log('| step | µs per request | share |');
    console.log('|---|---|---|');
    for (const r of rows)
      console.log(`| ${r.step} | ${r.usPerRequest.toFixed(1)} | ${(100 * r.share).toFixed(1)}% |`);
    if (process.env.BENCH_STEPS_JSON)
      writeFileSync(
        process.env.BENCH_STEPS_JSON,
        JSON.stringify(
          { dist: DIST, rps: result.requests.average, usPerRequest: busy / requests, rows },
          null,
          2,
        ),
      );
  } finally {
    server.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
