// Issue 15, item 4: `serve --workers 2` runs two worker processes on one port. Both serve; a
// promote made through one reaches the other; /metrics sums both; an Idempotency-Key replays on
// either; a rate limit is one budget (to within a ~20 ms sync), not one per worker; a killed
// worker is started again while the other serves; SIGTERM drains both and the primary exits 0;
// SIGINT stops both at once; and the same in cluster mode (PostgreSQL). Real processes, real
// HTTP; every request goes on a connection of its own, which node:cluster hands out round-robin.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ModelgateClient } from '../../src/client/client.js';
import { spawnServe, type ServeChild } from '../helpers/cli.js';
import { schemaUrl } from '../helpers/cluster.js';
import { pgTestUrl, testDatabase } from '../helpers/databases.js';
import { DEMO } from '../helpers/server.js';

const KEY = `mg_workers01_${randomBytes(24).toString('base64url')}`;
const BODY = readFileSync(join(DEMO, 'example-request.json'), 'utf8');
const PREDICT_LIMIT = 60;
const DRAIN_MS = 2000;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection (no keep-alive agent): the primary picks the next worker. */
function call(
  url: string,
  method: string,
  path: string,
  options: { key?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      {
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${options.key ?? KEY}`,
          ...(options.body ? { 'content-type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const predict = (url: string, key = KEY, headers: Record<string, string> = {}) =>
  call(url, 'POST', '/v1/models/breast-cancer/predict', { key, body: BODY, headers });

/** The value of one series of the Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * How many workers hold the rollout lease (the sum over the workers), once someone claimed it:
 * the first claim comes at the first lease timer after the start (leaderLeaseMs / 3).
 */
async function leaders(url: string): Promise<number | undefined> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const n = sample((await call(url, 'GET', '/metrics')).body, 'modelgate_rollout_leader');
    if (n !== 0 || performance.now() > deadline) return n;
    await sleep(250);
  }
}

/** The worker processes of a primary (Linux: its children). */
function workerPids(primary: number): number[] {
  return readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).map(Number);
}

describe('serve --workers 2', () => {
  let proc: ServeChild;
  let url: string;
  const home = mkdtempSync(join(tmpdir(), 'mg-workers-'));

  before(async () => {
    proc = spawnServe(['--demo', '--workers', '2'], {
      MODELGATE_HOME: home,
      MODELGATE_PORT: '0',
      MODELGATE_ADMIN_KEY: KEY,
      MODELGATE_SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: String(PREDICT_LIMIT),
    });
    url = (
      await proc.waitFor('stderr', /listening on (http:\/\/\S+) \(embedded: .*; 2 workers\)/, 90_000)
    )[1]!;
  });
  after(() => {
    proc.child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('both workers answer predictions, and /metrics sums them', async () => {
    const key = (await new ModelgateClient({ baseUrl: url, apiKey: KEY }).createKey('both', ['predict'])).key;
    const answers = await Promise.all(Array.from({ length: 20 }, () => predict(url, key)));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(20).fill(200),
    );
    const metrics = (await call(url, 'GET', '/metrics')).body;
    const one = sample(metrics, 'modelgate_worker_requests_total{worker="1"}') ?? 0;
    const two = sample(metrics, 'modelgate_worker_requests_total{worker="2"}') ?? 0;
    assert.ok(one > 0 && two > 0, `both workers answered (worker 1: ${one}, worker 2: ${two})`);
    assert.equal(sample(metrics, 'modelgate_workers'), 2);
    // the demo's production version answered 20 here; the sum over both workers, not one's share
    assert.equal(
      sample(metrics, 'modelgate_predictions_total{model="breast-cancer",version="1.0.0",outcome="ok"}'),
      20,
    );
    assert.equal(sample(metrics, 'modelgate_model_ready{model="breast-cancer"}'), 1, 'min over the workers');
    assert.equal(await leaders(url), 1, 'one leader among the workers');
  });

  it('an Idempotency-Key replays on the other worker', async () => {
    // a structured-field string, quoted (the IETF draft)
    const headers = { 'idempotency-key': `"k-${randomBytes(6).toString('hex')}"` };
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await predict(url, KEY, headers));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200],
      answers[0]!.body,
    );
    const ids = answers.map((a) => (JSON.parse(a.body) as { prediction_id: string }).prediction_id);
    assert.equal(new Set(ids).size, 1, `one prediction, replayed: ${ids.join(', ')}`);
    assert.deepEqual(
      answers.map((a) => a.headers['idempotent-replayed']),
      [undefined, 'true', 'true', 'true'],
    );
  });

  it('a rate limit is one budget across the workers (to within a sync), not one per worker', async () => {
    const key = (await new ModelgateClient({ baseUrl: url, apiKey: KEY }).createKey('limited', ['predict']))
      .key;
    const statuses: number[] = [];
    // alternating workers, 30 ms apart: each sees the other's hits within a sync (~20 ms)
    for (let i = 0; i < PREDICT_LIMIT + 10; i++) {
      statuses.push((await predict(url, key)).status);
      await sleep(30);
    }
    const admitted = statuses.filter((s) => s === 200).length;
    // one budget per worker would admit all 70; a late sync may let one or two more through
    assert.ok(admitted >= PREDICT_LIMIT && admitted <= PREDICT_LIMIT + 2, `${admitted} admitted`);
    assert.equal(statuses.filter((s) => s === 429).length, PREDICT_LIMIT + 10 - admitted);
  });

  it('a promote through one worker reaches the other', async () => {
    const promoted = await call(url, 'POST', '/v1/models/breast-cancer/promote', {
      body: JSON.stringify({ version: '1.1.0' }),
    });
    assert.equal(promoted.status, 200, promoted.body);
    const started = performance.now();
    let converged = false;
    while (!converged && performance.now() - started < 10_000) {
      const versions = await Promise.all(
        Array.from(
          { length: 4 },
          async () => (JSON.parse((await predict(url)).body) as { version: string }).version,
        ),
      );
      converged = versions.every((v) => v === '1.1.0');
    }
    assert.ok(converged, 'every request answers 1.1.0 within 10 s');
    // once converged, it stays so: every worker serves the new version
    const after = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (JSON.parse((await predict(url)).body) as { version: string }).version,
      ),
    );
    assert.deepEqual(after, Array(10).fill('1.1.0'));
  });

  it('a killed worker is started again while the other serves', async () => {
    const primary = proc.child.pid!;
    const [victim, survivor] = workerPids(primary);
    assert.ok(victim && survivor, 'two workers run');
    // the primary gives its workers two malloc arenas unless told otherwise (docs/adr/0011)
    const arenas = `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}`;
    for (const pid of [victim, survivor])
      assert.ok(
        readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(arenas),
        `worker ${pid} runs with ${arenas}`,
      );
    process.kill(victim, 'SIGKILL');
    await sleep(300); // the primary takes the dead worker out of its round-robin
    const during = await Promise.all(Array.from({ length: 6 }, () => predict(url)));
    assert.deepEqual(
      during.map((a) => a.status),
      Array(6).fill(200),
    );
    await proc.waitFor('stdout', /"msg":"worker serving again"/, 60_000);
    const pids = workerPids(primary);
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(victim) && pids.includes(survivor));
    assert.match(
      proc.stdout(),
      /"code":null,"signal":"SIGKILL".*"msg":"worker exited unexpectedly; starting it again"/,
    );
    const metrics = (await call(url, 'GET', '/metrics')).body;
    assert.equal(sample(metrics, 'modelgate_worker_restarts_total'), 1);
    assert.equal(sample(metrics, 'modelgate_workers'), 2);
  });

  it('SIGTERM drains both workers (/ready 503, still serving) and the primary exits 0', async () => {
    const pids = workerPids(proc.child.pid!);
    const sent = performance.now();
    proc.child.kill('SIGTERM');
    await sleep(300);
    const readies = await Promise.all(Array.from({ length: 4 }, () => call(url, 'GET', '/ready')));
    assert.deepEqual(
      readies.map((r) => r.status),
      Array(4).fill(503),
    );
    const served = await Promise.all(Array.from({ length: 4 }, () => predict(url)));
    assert.deepEqual(
      served.map((a) => [a.status, a.headers.connection]),
      Array(4).fill([200, 'close']),
    );
    assert.equal(await proc.exited, 0);
    const took = performance.now() - sent;
    assert.ok(took >= DRAIN_MS && took < DRAIN_MS + 8000, `stopped after the drain (${Math.round(took)} ms)`);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} ended`);
  });
});

it('serve --workers 2: SIGINT stops both workers at once, without the drain', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'mg-workers-int-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe(['--workers', '2'], {
    MODELGATE_HOME: home,
    MODELGATE_PORT: '0',
    MODELGATE_ADMIN_KEY: KEY,
    MODELGATE_SHUTDOWN_DRAIN_MS: '30000',
    MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
  });
  t.after(() => proc.child.kill('SIGKILL'));
  await proc.waitFor('stderr', /listening on http:\/\/\S+ \(embedded: .*; 2 workers\)/, 90_000);
  const pids = workerPids(proc.child.pid!);
  const sent = performance.now();
  proc.child.kill('SIGINT');
  assert.equal(await proc.exited, 0);
  const took = performance.now() - sent;
  assert.ok(took < 10_000, `stopped in ${Math.round(took)} ms, not after the 30 s drain`);
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} ended`);
  assert.match(proc.stdout(), /"signal":"SIGINT","workers":2,"msg":"shutting down"/);
});

it(
  'serve --workers 2 in cluster mode (PostgreSQL): both serve, a promote reaches both, one leader',
  { skip: pgTestUrl() ? false : 'MODELGATE_TEST_DATABASE_URL is not set' },
  async (t) => {
    const db = await testDatabase('postgres', t);
    const proc = spawnServe(['--demo', '--workers', '2'], {
      MODELGATE_HOME: db.home,
      MODELGATE_PORT: '0',
      MODELGATE_DATABASE_URL: schemaUrl(db.databaseUrl!, db.pgSchema),
      MODELGATE_ADMIN_KEY: KEY,
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
    });
    t.after(() => proc.child.kill('SIGKILL'));
    const url = (
      await proc.waitFor('stderr', /listening on (http:\/\/\S+) \(cluster: .*; 2 workers\)/, 90_000)
    )[1]!;
    const first = await Promise.all(Array.from({ length: 8 }, () => predict(url)));
    assert.deepEqual(
      first.map((a) => a.status),
      Array(8).fill(200),
    );
    const promoted = await call(url, 'POST', '/v1/models/breast-cancer/promote', {
      body: JSON.stringify({ version: '1.1.0' }),
    });
    assert.equal(promoted.status, 200, promoted.body);
    await sleep(500); // LISTEN/NOTIFY: milliseconds; the poll fallback: 500 ms
    const versions = await Promise.all(
      Array.from(
        { length: 8 },
        async () => (JSON.parse((await predict(url)).body) as { version: string }).version,
      ),
    );
    assert.deepEqual(versions, Array(8).fill('1.1.0'));
    const metrics = (await call(url, 'GET', '/metrics')).body;
    assert.ok((sample(metrics, 'modelgate_worker_requests_total{worker="1"}') ?? 0) > 0);
    assert.ok((sample(metrics, 'modelgate_worker_requests_total{worker="2"}') ?? 0) > 0);
    assert.equal(await leaders(url), 1, 'one leader among the workers');
    assert.equal(sample(metrics, 'modelgate_change_notifications_connected'), 1, 'both listen');
    proc.child.kill('SIGTERM');
    assert.equal(await proc.exited, 0);
  },
);
