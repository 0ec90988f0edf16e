// The alert rules, Prometheus config, Grafana dashboard and metrics docs, checked with real tools
// and against the metrics catalogue.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Metrics } from '../../src/observability/metrics.js';
import { replaceMetricsReference } from '../../src/observability/metrics-doc.js';
import { PROMTOOL, run, skipWithout } from '../helpers/promtool.js';
import { REPO } from '../helpers/server.js';

const PROM_DIR = join(REPO, 'deploy/prometheus');
const skip = skipWithout(PROMTOOL, 'promtool');

/** Metric names a PromQL expression refers to (identifiers followed by `{`, `[` or `)`/space). */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$__\w+/g, '');
  const names = withoutStrings.match(/\b(?:modelgate|process|nodejs)_[a-z0-9_]+\b|\bup\b/g) ?? [];
  return [...new Set(names)];
}

function known(): Set<string> {
  const metrics = new Metrics('test');
  const names = new Set<string>(['up']);
  for (const m of metrics.catalogue()) {
    names.add(m.name);
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

async function defaultMetricNames(): Promise<Set<string>> {
  const text = await new Metrics('test').registry.metrics();
  return new Set(
    [...text.matchAll(/^# TYPE (\S+)/gm)]
      .map((m) => m[1]!)
      .flatMap((n) => [n, `${n}_bucket`, `${n}_sum`, `${n}_count`]),
  );
}

describe('alert rules', () => {
  it('pass promtool check rules', { skip }, async () => {
    const r = await run(PROMTOOL!, ['check', 'rules', join(PROM_DIR, 'alerts.yml')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS: 13 rules found/);
  });

  it('pass their promtool unit tests', { skip }, async () => {
    const r = await run(PROMTOOL!, ['test', 'rules', join(PROM_DIR, 'alerts.test.yml')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SUCCESS/);
  });

  it('name only metrics of the catalogue', async () => {
    const names = new Set([...known(), ...(await defaultMetricNames())]);
    const exprs = [
      ...readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8').matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g),
    ].map((m) => m[1]!);
    assert.ok(exprs.length >= 5);
    for (const e of exprs)
      for (const n of metricNames(e)) assert.ok(names.has(n), `alert expression names unknown metric ${n}`);
  });
});

describe('Prometheus config', () => {
  it('passes promtool check config (with its key file in place)', { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgate-prom-'));
    for (const f of ['prometheus.yml', 'alerts.yml']) copyFileSync(join(PROM_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'modelgate-read-key'), 'mg_abcdefgh12_' + 'x'.repeat(43));
    const r = await run(PROMTOOL!, ['check', 'config', join(dir, 'prometheus.yml')]);
    assert.equal(r.code, 0, r.out);
  });
});

describe('Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/modelgate.json'), 'utf8')) as {
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    templating: { list: Array<{ query: string; type: string }> };
  };

  it('queries only metrics of the catalogue', async () => {
    const names = new Set([...known(), ...(await defaultMetricNames())]);
    const exprs = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)),
      // a `datasource` variable picks the Prometheus; every other one queries metrics
      ...dashboard.templating.list.filter((v) => v.type !== 'datasource').map((v) => v.query),
    ];
    let checked = 0;
    for (const e of exprs) {
      const used = metricNames(e);
      assert.ok(used.length > 0, `query names a metric: ${e}`);
      for (const n of used) {
        assert.ok(names.has(n), `dashboard query names unknown metric ${n}`);
        checked++;
      }
    }
    assert.ok(checked >= 15, `checked ${checked} metric references`);
  });

  it('covers traffic, errors, latency per version and loaded versions', () => {
    const titles = dashboard.panels.map((p) => p.title).join('\n');
    for (const want of [
      /Requests per second/,
      /Error rate/,
      /Inference latency p50 \/ p95 \/ p99 per version/,
      /Loaded versions/,
    ]) {
      assert.match(titles, want);
    }
  });
});

describe('docs/observability.md', () => {
  it('has the metrics reference generated from the catalogue (npm run docs:metrics)', () => {
    const doc = readFileSync(join(REPO, 'docs/observability.md'), 'utf8');
    assert.equal(doc, replaceMetricsReference(doc));
  });
});
