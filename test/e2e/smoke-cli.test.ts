// `modelgate smoke` (issue 14, item 7) against a real server with the demo model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliInProcess } from '../helpers/cli.js';
import { startTestServer, SuiteScope } from '../helpers/server.js';
import { before, after } from 'node:test';
import { freePort } from '../helpers/ports.js';

interface SmokeJson {
  ok: boolean;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

describe('modelgate smoke', () => {
  const scope = new SuiteScope();
  let env: Record<string, string>;
  before(async () => {
    const s = await startTestServer(scope, { demo: true });
    env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
  });
  after(() => scope.run());

  it('passes on the demo: health, ready, the manifest smoke tests, predict and V2 routes, p99', async () => {
    const r = await cliInProcess(['smoke', '--samples', '5'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /│ health +│ pass +│ status ok/);
    assert.match(r.stdout, /│ ready +│ pass +│ breast-cancer@1\.0\.0 ready/);
    assert.match(r.stdout, /│ breast-cancer@1\.0\.0 smoke test-row-1 +│ pass +│ label malignant/);
    assert.match(r.stdout, /│ breast-cancer predict \(routed\) +│ pass +│ answered by 1\.0\.0/);
    assert.match(r.stdout, /│ breast-cancer v2 metadata +│ pass +│ 1 input\(s\), 2 output\(s\)/);
    assert.match(
      r.stdout,
      /│ breast-cancer latency p99 <= 1000 ms +│ pass +│ p50 [\d.]+ ms, p99 [\d.]+ ms over 5 sequential/,
    );
    assert.match(r.stdout, /smoke: PASS \(\d+ checks\)/);
    assert.equal(r.stderr, '');

    const json = await cliInProcess(['smoke', '--samples', '5', '--json'], env);
    assert.equal(json.code, 0);
    const body = JSON.parse(json.stdout) as SmokeJson;
    assert.equal(body.ok, true);
    const names = body.checks.map((c) => c.check);
    assert.deepEqual(names.slice(0, 5), [
      'health',
      'ready',
      'v2 server metadata',
      'production models',
      'breast-cancer@1.0.0 manifest',
    ]);
    assert.ok(names.filter((n) => n.startsWith('breast-cancer@1.0.0 smoke ')).length >= 1);
    assert.ok(body.checks.every((c) => c.ok));
  });

  it('exits 1 with one line per failed check: a p99 target missed, an unknown model', async () => {
    const slow = await cliInProcess(['smoke', '--samples', '3', '--slo-p99', '0.001'], env);
    assert.equal(slow.code, 1);
    assert.match(slow.stdout, /smoke: FAIL \(1 of \d+ checks failed\)/);
    assert.match(
      slow.stderr,
      /^FAIL breast-cancer latency p99 <= 0\.001 ms: p50 [\d.]+ ms, p99 [\d.]+ ms over 3 sequential predictions\n$/,
    );

    const unknown = await cliInProcess(['smoke', '--model', 'nope', '--json'], env);
    assert.equal(unknown.code, 1);
    const body = JSON.parse(unknown.stdout) as SmokeJson;
    assert.equal(body.ok, false);
    assert.deepEqual(
      body.checks.find((c) => !c.ok),
      { check: 'production models', ok: false, detail: 'no model nope' },
    );
    assert.equal(unknown.stderr, 'FAIL production models: no model nope\n');
  });

  it('fails at the first check when nothing answers, and refuses a bad option', async () => {
    const port = await freePort();
    const r = await cliInProcess(['smoke', '--url', `http://127.0.0.1:${port}`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^FAIL health: cannot reach modelgate at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/,
    );
    const bad = await cliInProcess(['smoke', '--samples', '0'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error: USAGE: --samples takes an integer >= 1, not '0'/);
  });
});
