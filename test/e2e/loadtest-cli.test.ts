// `modelgate loadtest` (issue 14, item 7) against a real server with the demo model.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliInProcess } from '../helpers/cli.js';
import { DEMO, startTestServer, SuiteScope } from '../helpers/server.js';

describe('modelgate loadtest', () => {
  const scope = new SuiteScope();
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    const s = await startTestServer(scope, { demo: true });
    env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    dir = mkdtempSync(join(tmpdir(), 'mg-loadtest-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await scope.run();
  });

  it('loads the production version with its smoke-test input; percentiles, targets met, an SVG chart', async () => {
    const chart = join(dir, 'latency.svg');
    const r = await cliInProcess(
      [
        'loadtest',
        '--model',
        'breast-cancer',
        '--duration',
        '2s',
        '--connections',
        '2',
        '--slo-p99',
        '60000',
        '--slo-errors',
        '0',
        '--out',
        chart,
        '--json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      requests: number;
      rps: number;
      latency_ms: { p50: number; p90: number; p99: number; max: number };
      errors_by_status: Record<string, number>;
      per_second: Array<{ second: number; requests: number; p50_ms: number; p99_ms: number }>;
      targets: Array<{ target: string; ok: boolean; measured: number }>;
      ok: boolean;
    };
    assert.ok(s.requests > 20, `${s.requests} requests`);
    assert.ok(s.rps > 10);
    assert.ok(s.latency_ms.p50 > 0 && s.latency_ms.p50 <= s.latency_ms.p90);
    assert.ok(s.latency_ms.p90 <= s.latency_ms.p99 && s.latency_ms.p99 <= s.latency_ms.max);
    assert.deepEqual(s.errors_by_status, {});
    assert.ok(s.per_second.length >= 2);
    assert.equal(
      s.per_second.reduce((n, p) => n + p.requests, 0),
      s.requests,
    );
    assert.deepEqual(
      s.targets.map((t) => [t.target, t.ok]),
      [
        ['p99 <= 60000 ms', true],
        ['errors <= 0%', true],
      ],
    );
    assert.equal(s.ok, true);
    assert.match(r.stderr, /loadtest http:\/\/[^ ]+\/v1\/models\/breast-cancer\/predict: 2 s, 2 connections/);
    assert.match(r.stderr, / {2}1 s: \d+ answers/);
    const svg = readFileSync(chart, 'utf8');
    assert.match(svg, /<path class="p99" d="M56\.0,[\d.]+( L[\d.]+,[\d.]+)+"/);
    assert.match(svg, /<line class="target"/);
  });

  it('exits 1 with a line per missed target; 401 answers count as errors', async () => {
    const r = await cliInProcess(
      [
        'loadtest',
        '--model',
        'breast-cancer',
        '--duration',
        '1',
        '--connections',
        '1',
        '--slo-rps',
        '1000000',
      ],
      env,
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^requests {3}\d+ in [\d.]+ s \([\d.]+ req\/s\)$/m);
    assert.match(r.stdout, /^latency {4}p50 [\d.]+ ms {2}p90 [\d.]+ ms {2}p99 [\d.]+ ms {2}max [\d.]+ ms$/m);
    assert.match(r.stdout, /^target {5}throughput >= 1000000 req\/s: MISSED \([\d.]+\)$/m);
    assert.match(r.stderr, /^FAIL throughput >= 1000000 req\/s: measured [\d.]+$/m);

    // a wrong key: every answer is an error (401, then 429 once failed-auth throttling starts)
    const file = join(dir, 'request.json');
    writeFileSync(file, readFileSync(join(DEMO, 'example-request.json')));
    const denied = await cliInProcess(
      [
        'loadtest',
        '--model',
        'breast-cancer',
        '--duration',
        '1',
        '--connections',
        '1',
        '--slo-errors',
        '1',
        '--file',
        file,
        '--json',
      ],
      { ...env, MODELGATE_API_KEY: `mg_wrongkey01_${'x'.repeat(32)}` },
    );
    assert.equal(denied.code, 1);
    const body = JSON.parse(denied.stdout) as {
      requests: number;
      error_percent: number;
      errors_by_status: Record<string, number>;
    };
    assert.ok(body.requests > 0);
    assert.equal(body.error_percent, 100);
    assert.ok(body.errors_by_status['401']! > 0, JSON.stringify(body.errors_by_status));
    assert.deepEqual(
      Object.keys(body.errors_by_status).filter((k) => k !== '401' && k !== '429'),
      [],
    );
    assert.match(denied.stderr, /^FAIL errors <= 1%: measured 100$/m);
  });
});
