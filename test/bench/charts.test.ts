import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultsMarkdown, slug, workloadSvg } from '../../bench/charts.js';
import type { BenchFile } from '../../bench/lib/results.js';

const file: BenchFile = {
  bench: 'predict-overhead',
  at: '2026-11-30T20:00:00.000Z',
  node: 'v24.21.0',
  cpus: 2,
  loadAverage: 1.5,
  rows: [
    { workload: 'trees, 1 row', server: 'modelgate', connections: 16, rps: 8000, p50Ms: 1.5, p99Ms: 6 },
    { workload: 'trees, 1 row', server: 'bare', connections: 16, rps: 16000, p50Ms: 0.5, p99Ms: 2 },
    { workload: 'trees, 1 row', server: 'modelgate', connections: 64, rps: 9000, p50Ms: 6, p99Ms: 20 },
    { workload: 'trees, 1 row', server: 'bare', connections: 64, rps: 12000, p50Ms: 4, p99Ms: 9 },
  ],
};

describe('bench charts', () => {
  it('tables every row with its ratio to the bare server at the same concurrency', () => {
    const md = resultsMarkdown([file]);
    assert.match(md, /!\[trees, 1 row\]\(benchmarks\/predict-overhead-trees-1-row\.svg\)/);
    assert.match(md, /\| modelgate \| 16 \| 8,000 \| 1\.5 \| 6\.0 \| 0\.50× \|/);
    assert.match(md, /\| modelgate \| 64 \| 9,000 \| 6\.0 \| 20\.0 \| 0\.75× \|/);
    assert.match(md, /\| bare \| 64 \| 12,000 \| 4\.0 \| 9\.0 \| {2}\|/);
    assert.match(md, /load average 1\.5/);
  });

  it('draws one bar per server and concurrency in each panel, scaled to a nice maximum', () => {
    const svg = workloadSvg('trees, 1 row', file.rows);
    const bars = [
      ...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#\w+"><title>/g),
    ];
    // 4 throughput bars + 4 p99 bars, each with its value as a tooltip
    assert.equal(bars.length, 8);
    // the tallest throughput bar (16,000 of an axis up to 20,000) fills 80% of the 196 px plot
    const heights = bars.slice(0, 4).map((m) => Number(m[2]));
    assert.equal(Math.max(...heights).toFixed(1), (196 * 0.8).toFixed(1));
    assert.match(svg, /<title>bare, 64 connections: 12,000<\/title>/);
    assert.doesNotMatch(svg, /<script/);
    assert.equal(slug('mlp-3000, 1 row'), 'mlp-3000-1-row');
  });
});
