import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { exitOf, serveProcess } from '../helpers/cli.js';
import { DEMO } from '../helpers/server.js';

it('serve --demo (what npm start runs) serves the demo model with a printed key, restarts cleanly and stops on SIGTERM', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'mg-demo-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  // a loaded CI machine lags more than the production default: no shedding here (as in
  // test/helpers/server.ts)
  const env = { MODELGATE_HOME: home, MODELGATE_PORT: '0', MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0' };

  const first = await serveProcess(['--demo'], env);
  t.after(() => first.child.kill('SIGKILL'));
  const key = /Admin API key \(shown once; store it now, only its hash is kept\):\n {2}(mg_\S+)/.exec(
    first.banner,
  )?.[1];
  assert.ok(key, first.banner);
  assert.match(first.banner, new RegExp(`export MODELGATE_URL=${first.url} MODELGATE_API_KEY=${key}\n`));
  assert.match(
    first.banner,
    /curl -s \$MODELGATE_URL\/v1\/models\/breast-cancer\/predict -H "Authorization: Bearer \$MODELGATE_API_KEY"/,
  );
  const body = readFileSync(join(DEMO, 'example-request.json'), 'utf8');
  const predict = () =>
    fetch(`${first.url}/v1/models/breast-cancer/predict`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
  const res = await predict();
  assert.equal(res.status, 200);
  const json = (await res.json()) as {
    model: string;
    version: string;
    predictions: Array<{ label: string }>;
  };
  assert.deepEqual(
    [json.model, json.version, json.predictions[0]!.label],
    ['breast-cancer', '1.0.0', 'malignant'],
  );
  assert.equal((await fetch(`${first.url}/ready`)).status, 200);
  first.child.kill('SIGTERM');
  assert.equal(await exitOf(first.child), 0);
  const lines = first
    .logs()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string });
  assert.ok(lines.some((l) => l.msg === 'shutting down'));
  assert.ok(!first.logs().includes(key), 'the key is not in the logs');

  const second = await serveProcess(['--demo'], env);
  t.after(() => second.child.kill('SIGKILL'));
  assert.doesNotMatch(second.banner, /Admin API key/, 'no second key on restart');
  const again = await fetch(`${second.url}/v1/models/breast-cancer/predict`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });
  assert.equal(again.status, 200, 'the first key still works and the model is served after restart');
  second.child.kill('SIGTERM');
  assert.equal(await exitOf(second.child), 0);
});
