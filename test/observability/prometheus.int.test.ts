// A real Prometheus (Debian's package) scrapes a running modelgate with a read-only key; a PromQL
// query over what it scraped returns the number of requests this test sent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROMETHEUS, skipWithout } from '../helpers/promtool.js';
import { DEMO, raw, REPO, startTestServer } from '../helpers/server.js';
import { EXAMPLE_BODY } from '../owasp/setup.js';
import { freePort } from '../helpers/ports.js';

async function query(base: string, promql: string): Promise<number | undefined> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (!res.ok) return undefined;
  const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
  const first = body.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

describe('a real Prometheus scraping modelgate', () => {
  it(
    'answers a PromQL query with the number of requests sent',
    { skip: skipWithout(PROMETHEUS, 'prometheus'), timeout: 120_000 },
    async (t) => {
      const s = await startTestServer(t);
      await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
      await s.admin.promote('breast-cancer', '1.0.0');
      const readKey = (await s.admin.createKey('prometheus', ['read'])).key;

      const dir = mkdtempSync(join(tmpdir(), 'modelgate-prometheus-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      copyFileSync(join(REPO, 'deploy/prometheus/alerts.yml'), join(dir, 'alerts.yml'));
      writeFileSync(join(dir, 'modelgate-read-key'), readKey);
      const target = new URL(s.url).host;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [alerts.yml]',
          'scrape_configs:',
          '  - job_name: modelgate',
          '    authorization: { type: Bearer, credentials_file: modelgate-read-key }',
          `    static_configs: [{ targets: ['${target}'] }]`,
          '',
        ].join('\n'),
      );
      const port = await freePort();
      const prom = spawn(
        PROMETHEUS!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let promLog = '';
      prom.stderr.on('data', (d: Buffer) => (promLog += d.toString()));
      t.after(
        () =>
          new Promise<void>((resolve) => {
            // it may have exited already (a port taken): then no exit event is coming
            if (prom.exitCode !== null || prom.signalCode !== null) return resolve();
            prom.once('exit', () => resolve());
            prom.kill('SIGTERM');
          }),
      );
      const base = `http://127.0.0.1:${port}`;

      const SENT = 7;
      for (let i = 0; i < SENT; i++) {
        const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
          body: EXAMPLE_BODY,
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(r.status, 200);
      }

      const promql =
        'sum(modelgate_http_requests_total{job="modelgate", route="/v1/models/:name/predict", status="200"})';
      let seen: number | undefined;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        seen = await query(base, promql).catch(() => undefined);
        if (seen === SENT) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(seen, SENT, `Prometheus log:\n${promLog.slice(-2000)}`);
      assert.equal(await query(base, 'up{job="modelgate"}'), 1, 'the scrape with the read key succeeds');
      assert.equal(await query(base, 'sum(modelgate_predictions_total{outcome="ok"})'), SENT);
      assert.equal(await query(base, 'modelgate_model_ready{model="breast-cancer"}'), 1);
    },
  );
});
