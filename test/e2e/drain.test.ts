// Issue 14, item 6: on SIGTERM /ready answers 503 at once while predictions are still answered
// for the drain, with `Connection: close`; idle keep-alive connections are closed cleanly (FIN,
// not a reset); the process exits 0 after the drain.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServe } from '../helpers/cli.js';
import { DEMO, REPO } from '../helpers/server.js';

const DRAIN_MS = 3000;
const KEY = `mg_drain0001_${randomBytes(24).toString('base64url')}`;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

function call(base: string, agent: Agent, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${KEY}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const socket = res.socket;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text, socket }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('SIGTERM: /ready 503 at once, predictions served during the drain with Connection: close, exit 0', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'mg-drain-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe(['--demo'], {
    MODELGATE_HOME: home,
    MODELGATE_PORT: '0',
    MODELGATE_ADMIN_KEY: KEY,
    MODELGATE_SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
    MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
  });
  t.after(() => proc.child.kill('SIGKILL'));
  const base = (await proc.waitFor('stderr', /listening on (http:\/\/\S+)/))[1]!;
  const body = readFileSync(join(DEMO, 'example-request.json'), 'utf8');
  const busy = new Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => (busy.destroy(), idle.destroy()));

  const before = await call(base, busy, 'POST', '/v1/models/breast-cancer/predict', body);
  assert.equal(before.status, 200);
  assert.equal(before.headers.connection, 'keep-alive');
  // a keep-alive connection that stays idle from now on
  const idleAnswer = await call(base, idle, 'GET', '/health');
  assert.equal(idleAnswer.headers.connection, 'keep-alive');
  const idleSocket = idleAnswer.socket;
  const idleEnd = new Promise<{ ms: number; error?: string }>((resolve) => {
    let error: string | undefined;
    idleSocket.on('error', (err) => (error = (err as NodeJS.ErrnoException).code ?? err.message));
    idleSocket.once('close', () => resolve({ ms: performance.now() - sigterm, ...(error ? { error } : {}) }));
  });

  const sigterm = performance.now();
  proc.child.kill('SIGTERM');
  await proc.waitFor('stdout', /"msg":"shutting down"/, 2000);
  const ready = await fetch(`${base}/ready`);
  const readyMs = performance.now() - sigterm;
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { reason?: string }).reason, 'shutting down');
  assert.ok(readyMs < 1000, `/ready answered 503 after ${Math.round(readyMs)} ms`);

  // the keep-alive connection opened before SIGTERM is still served, and told to close
  const during = await call(base, busy, 'POST', '/v1/models/breast-cancer/predict', body);
  assert.equal(during.socket, before.socket, 'same connection');
  assert.equal(during.status, 200, during.body);
  assert.equal(during.headers.connection, 'close');
  assert.equal((JSON.parse(during.body) as { version: string }).version, '1.0.0');
  // a new connection half-way through the drain is still accepted and answered
  await new Promise((r) => setTimeout(r, DRAIN_MS / 2));
  const late = await call(base, new Agent(), 'POST', '/v1/models/breast-cancer/predict', body);
  assert.equal(late.status, 200);
  assert.equal(late.headers.connection, 'close');
  assert.ok(performance.now() - sigterm < DRAIN_MS, 'answered inside the drain');

  assert.equal(await proc.exited, 0);
  const exitMs = performance.now() - sigterm;
  assert.ok(exitMs >= DRAIN_MS, `exited ${Math.round(exitMs)} ms after SIGTERM`);
  assert.ok(exitMs < DRAIN_MS + 10_000, `exited ${Math.round(exitMs)} ms after SIGTERM`);
  const closed = await idleEnd;
  assert.equal(closed.error, undefined, 'the idle connection was closed, not reset');
  assert.ok(closed.ms >= DRAIN_MS - 50, `idle connection closed ${Math.round(closed.ms)} ms after SIGTERM`);
  assert.match(proc.stdout(), /"drain_ms":3000,"msg":"draining/);
  console.log(`drain: /ready 503 after ${Math.round(readyMs)} ms, exit after ${Math.round(exitMs)} ms`);
});

it('SIGINT (Ctrl-C) skips the drain', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'mg-drain-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe([], {
    MODELGATE_HOME: home,
    MODELGATE_PORT: '0',
    MODELGATE_ADMIN_KEY: KEY,
    MODELGATE_SHUTDOWN_DRAIN_MS: '30000',
  });
  t.after(() => proc.child.kill('SIGKILL'));
  const base = (await proc.waitFor('stderr', /listening on (http:\/\/\S+)/))[1]!;
  // a SIGINT in the instant the banner appears was sometimes not handled (1 run in 3; the cause
  // is not found): Ctrl-C after the first answer, as a user would
  assert.equal((await fetch(`${base}/health`)).status, 200);
  const started = performance.now();
  proc.child.kill('SIGINT');
  assert.equal(await proc.exited, 0, `signal ${proc.child.signalCode}: ${proc.stderr()}${proc.stdout()}`);
  assert.ok(performance.now() - started < 10_000, 'did not wait for the 30 s drain');
  assert.doesNotMatch(proc.stdout(), /"msg":"draining/);
});

it("SIGTERM as the server begins to listen, after the start's last check: drained, exit 0", async (t) => {
  // the image test's stop sometimes came while a worker of `serve --workers 2` was binding its
  // port: the start's handler took the signal, the start went on, and the worker served until the
  // primary killed it 20 s later
  const home = mkdtempSync(join(tmpdir(), 'mg-drain-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe(
    [],
    {
      MODELGATE_HOME: home,
      MODELGATE_PORT: '0',
      MODELGATE_ADMIN_KEY: KEY,
      MODELGATE_SHUTDOWN_DRAIN_MS: '500',
    },
    ['--import', join(REPO, 'test/fixtures/sigterm-at-listen.mjs')],
  );
  t.after(() => proc.child.kill('SIGKILL'));
  const code = await Promise.race([proc.exited, sleep(30_000).then(() => 'still running after 30 s')]);
  assert.equal(code, 0, `${proc.stderr()}${proc.stdout()}`);
  // it started (the banner), then stopped as SIGTERM asks: the drain first
  assert.match(proc.stderr(), /listening on http:/);
  assert.match(proc.stdout(), /"signal":"SIGTERM","msg":"shutting down"/);
  assert.match(proc.stdout(), /"drain_ms":500,"msg":"draining/);
});
