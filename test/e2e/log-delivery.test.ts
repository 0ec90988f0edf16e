import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { spawnServe } from '../helpers/cli.js';

/**
 * A real `modelgate serve` writing its JSON log to a pipe. Before: lines waited in a 4 kB buffer
 * with no timer, so a request's line was still not on stdout 5 s later, and lost on kill -9.
 */
async function server(t: TestContext, nodeArgs: string[] = []) {
  const home = mkdtempSync(join(tmpdir(), 'mg-logs-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const proc = spawnServe(
    [],
    { MODELGATE_HOME: home, MODELGATE_PORT: '0', MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0' },
    nodeArgs,
  );
  t.after(() => proc.child.kill('SIGKILL'));
  const url = (await proc.waitFor('stderr', /listening on (http:\/\/\S+)/))[1]!;
  const request = async () => {
    const id = `log-${randomUUID()}`;
    const res = await fetch(`${url}/health`, { headers: { 'x-request-id': id } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    return id;
  };
  return { proc, request };
}

describe('request log lines on a pipe', () => {
  it('reach stdout within 1 s of the answer on a quiet server', async (t) => {
    const { proc, request } = await server(t);
    for (let i = 0; i < 3; i++) {
      const id = await request();
      const answered = Date.now();
      while (!proc.stdout().includes(id) && Date.now() - answered < 1000)
        await new Promise((r) => setTimeout(r, 20));
      assert.ok(proc.stdout().includes(id), `request ${i + 1}: its line is on stdout within 1 s`);
    }
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`are all written when ${signal} stops the server right after a request`, async (t) => {
      const { proc, request } = await server(t);
      const id = await request();
      proc.child.kill(signal);
      assert.equal(await proc.exited, 0);
      assert.ok(proc.stdout().includes(id), 'the last request is logged');
      assert.match(proc.stdout(), new RegExp(`"signal":"${signal}","msg":"shutting down"`));
    });
  }

  it('are written when the server crashes on an uncaught exception', async (t) => {
    const { proc, request } = await server(t, ['--import', './test/helpers/crash-on-signal.ts']);
    const id = await request();
    proc.child.kill('SIGUSR2');
    assert.equal(await proc.exited, 1);
    assert.ok(proc.stdout().includes(id), 'the last request is logged');
    assert.match(proc.stderr(), /crash requested by the test/);
  });
});
