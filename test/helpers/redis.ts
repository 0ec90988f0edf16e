// Redis for tests: the machine's shared instance with a random key prefix per test, or a
// redis-server of a test's own (its own port, no persistence) that the test may kill and restart.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

/** The shared test Redis (never stopped or reconfigured by a test). */
export const TEST_REDIS_URL = process.env.MODELGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the shared test Redis answers (tests skip otherwise). */
export function redisAvailable(): boolean {
  const u = new URL(TEST_REDIS_URL);
  return (
    spawnSync('redis-cli', ['-h', u.hostname, '-p', u.port || '6379', 'ping'])
      .stdout?.toString()
      .trim() === 'PONG'
  );
}

/** Why Redis tests cannot run here (false: they can). Under CI=true they must: .ci/run starts Redis. */
export function redisSkip(): string | false {
  if (redisAvailable()) return false;
  if (process.env.CI === 'true') throw new Error(`Redis must answer at ${TEST_REDIS_URL} under CI=true`);
  return `no Redis answers at ${TEST_REDIS_URL}`;
}

/** A fresh key prefix, so that tests sharing one Redis never count into each other's keys. */
export function randomPrefix(): string {
  return `mgtest:${randomBytes(6).toString('hex')}:`;
}

/** Keys under `prefix` and their values (then deletes them). */
export async function takeKeys(url: string, prefix: string): Promise<Record<string, string>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}*`);
    const values: Record<string, string> = {};
    for (const k of keys) values[k.slice(prefix.length)] = (await redis.get(k)) ?? '';
    if (keys.length > 0) await redis.del(...keys);
    return values;
  } finally {
    redis.disconnect();
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  /** SIGKILL: Redis gone at once, connections reset */
  kill(): Promise<void>;
  /** a new redis-server on the same port (after kill) */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and answers nothing (a frozen VM, a long GC) */
  freeze(): void;
  thaw(): void;
}

/** A redis-server of this test's own on a free port, without persistence. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    while (
      // a timeout: spawnSync blocks the event loop, and no test timeout fires while it does
      spawnSync('redis-cli', ['-p', String(port), 'ping'], { timeout: 2000 })
        .stdout?.toString()
        .trim() !== 'PONG'
    ) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL'); // a server that never answered must not outlive the test
        throw new Error(`redis-server on port ${port} did not answer`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGCONT');
      c.kill('SIGKILL');
      await exited;
    },
  };
}
