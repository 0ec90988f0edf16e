import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, cliFirstLine } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';

describe('modelgate rollout and rollback', () => {
  it(
    'starts, shows, pauses, resumes and aborts a rollout; rollback ends one in one command',
    { timeout: 120_000 },
    async (t) => {
      const s = await startTestServer(t, { env: { MODELGATE_ROLLOUT_TICK_MS: '200' } });
      await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
      await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
      await s.admin.promote('breast-cancer', '1.0.0');
      const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
      const plan = join(mkdtempSync(join(tmpdir(), 'mg-plan-')), 'plan.yaml');
      writeFileSync(
        plan,
        'steps:\n  - type: smoke\n  - type: canary\n    weight: 30\n    duration: 10m\ninterval: 1m\n',
      );

      const started = await cli(['rollout', 'start', 'breast-cancer', '1.1.0', '--plan', plan], env);
      assert.equal(started.code, 0, started.stderr);
      const id = /rollout (ro_[0-9a-f]{16})/.exec(started.stdout)![1]!;
      assert.match(started.stdout, /breast-cancer 1\.0\.0 -> 1\.1\.0 \(canary\)/);

      // the controller's loop passes the smoke step (loads, warms and smoke-tests 1.1.0)
      const deadline = Date.now() + 20_000;
      while (
        s.server.runtime.services.rollouts.active('breast-cancer')?.stepIndex === 0 &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const shown = await cli(['rollout', 'status', 'breast-cancer'], env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(
        shown.stdout,
        /steps: \[#>\] 1\/2; now: canary 30% for 10m00s: (\d+m)?\d+s elapsed, \d+m\d\ds left\n/,
      );
      assert.match(
        shown.stdout,
        /^waiting for traffic: 0\/100 requests on the candidate, 0\/100 on stable$/m,
      );
      assert.match(shown.stdout, /step 0 look 0: pass -> advanced/);

      assert.match((await cli(['rollout', 'pause', id], env)).stdout, /state: paused - paused by key:/);
      assert.match((await cli(['rollout', 'resume', id], env)).stdout, /state: running/);
      const json = await cli(['--json', 'rollout', 'status', id], env);
      assert.equal((JSON.parse(json.stdout) as { state: string }).state, 'running');

      // `rollout status --watch --json | head -1`: one JSON document per line, then a quiet end
      const head = await cliFirstLine(
        ['rollout', 'status', id, '--watch', '--json', '--interval', '0.1'],
        env,
      );
      assert.deepEqual(
        [head.code, head.signal, head.stderr],
        [0, null, ''],
        'EPIPE ends the watch quietly with status 0',
      );
      const doc = JSON.parse(head.line) as { id: string; state: string; min_requests: number };
      assert.deepEqual([doc.id, doc.state, doc.min_requests], [id, 'running', 100]);

      const rb = await cli(['rollback', 'breast-cancer'], env);
      assert.equal(rb.code, 0, rb.stderr);
      assert.equal(
        rb.stdout,
        `breast-cancer: aborted rollout ${id}; all traffic on 1.0.0 (production=1.0.0)\n`,
      );
      const again = await cli(['rollout', 'abort', id], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /ROLLOUT_CONFLICT/);
    },
  );
});
