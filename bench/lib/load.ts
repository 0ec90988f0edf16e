// The load every bench puts on a server: JSON POSTs for a while, refused as a failed run when an
// answer is an error (autocannon: any not 2xx; wrk: 4xx and 5xx, as it counts them without
// parsing every answer in Lua) or a connection errs.
//
// The generator is wrk when it is on PATH (Debian's package `wrk`), else autocannon. On a 2-core
// machine the generator shares the cores with the server it loads: autocannon runs in this Node
// process and spends 36–40 µs of CPU per request, wrk (C, one thread) ~22 µs, most of it in the
// kernel's loopback. Issue 15's baseline was measured with wrk (docs/benchmarks.md, "ninth
// pass"). BENCH_LOADGEN=autocannon|wrk chooses; every result file says which.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

export interface PostLoad {
  url: string;
  body: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export type LoadGenerator = 'wrk' | 'autocannon';

export interface LoadResult {
  generator: LoadGenerator;
  /** requests answered per second over the run */
  rps: number;
  /** requests answered */
  total: number;
  /** the run's length, seconds */
  seconds: number;
  /** latency, milliseconds */
  p50: number;
  /** latency, milliseconds */
  p99: number;
}

const run = promisify(execFile);

export const LOAD_GENERATOR: LoadGenerator = chooseGenerator();

function chooseGenerator(): LoadGenerator {
  const asked = process.env.BENCH_LOADGEN;
  if (asked === 'wrk' || asked === 'autocannon') return asked;
  if (asked) throw new Error(`BENCH_LOADGEN=${asked}: use wrk or autocannon`);
  return hasWrk() ? 'wrk' : 'autocannon';
}

export async function postLoad(o: PostLoad, generator: LoadGenerator = LOAD_GENERATOR): Promise<LoadResult> {
  return generator === 'wrk' ? wrkLoad(o) : autocannonLoad(o);
}

/** Whether wrk is on PATH. */
export function hasWrk(): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && isFile(join(dir, 'wrk')));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function autocannonLoad(o: PostLoad): Promise<LoadResult> {
  const r = await autocannon({
    url: o.url,
    method: 'POST',
    connections: o.connections,
    duration: o.seconds,
    headers: { 'content-type': 'application/json', ...o.headers },
    body: o.body,
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${o.url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    generator: 'autocannon',
    rps: r.requests.average,
    total: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

// wrk reads the body from a file and prints its summary as one JSON line; latencies in µs
const WRK_SCRIPT = `
local body_path = os.getenv("MG_WRK_BODY")
local f = assert(io.open(body_path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["content-type"] = "application/json"
for name, value in string.gmatch(os.getenv("MG_WRK_HEADERS") or "", "([^\\n:]+):([^\\n]*)") do
  wrk.headers[name] = value
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MG_WRK {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

async function wrkLoad(o: PostLoad): Promise<LoadResult> {
  // wrk reads whole seconds (`-d1.5s` is 1 s), and each of its threads needs a connection
  if (!Number.isInteger(o.seconds) || o.seconds < 1)
    throw new Error(`wrk runs whole seconds, not ${o.seconds}`);
  if (!Number.isInteger(o.connections) || o.connections < 1)
    throw new Error(`wrk needs at least one connection, not ${o.connections}`);
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-wrk-'));
  try {
    writeFileSync(join(dir, 'post.lua'), WRK_SCRIPT);
    writeFileSync(join(dir, 'body.json'), o.body);
    const headers = Object.entries(o.headers ?? {})
      .map(([k, v]) => `${k}:${v}`)
      .join('\n');
    const args = [
      '-t1',
      `-c${o.connections}`,
      `-d${o.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      join(dir, 'post.lua'),
      o.url,
    ];
    const env = { ...process.env, MG_WRK_BODY: join(dir, 'body.json'), MG_WRK_HEADERS: headers };
    // wrk exits non-zero when it cannot connect at all: say what it said
    const stdout = await run('wrk', args, { env }).then(
      (r) => r.stdout,
      (err: Error & { stdout?: string; stderr?: string }) => {
        throw new Error(`${o.url}: wrk failed: ${(err.stderr || err.stdout || err.message).trim()}`);
      },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('MG_WRK '));
    if (!line) throw new Error(`${o.url}: wrk printed no summary:\n${stdout}`);
    const s = JSON.parse(line.slice('MG_WRK '.length)) as {
      requests: number;
      duration_us: number;
      status_errors: number;
      socket_errors: number;
      p50_us: number;
      p99_us: number;
    };
    if (s.status_errors > 0 || s.socket_errors > 0)
      throw new Error(`${o.url}: ${s.status_errors} 4xx/5xx, ${s.socket_errors} errors`);
    const seconds = s.duration_us / 1e6;
    return {
      generator: 'wrk',
      rps: s.requests / seconds,
      total: s.requests,
      seconds,
      p50: s.p50_us / 1000,
      p99: s.p99_us / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
