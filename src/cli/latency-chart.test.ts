import assert from 'node:assert/strict';
import { it } from 'node:test';
import { latencyChartSvg, niceCeiling } from './latency-chart.js';

it('niceCeiling: 1, 2 or 5 times a power of ten at or above the value', () => {
  const cases: Array<[number, number]> = [
    [0, 1],
    [Number.NaN, 1],
    [0.3, 0.5],
    [1, 1],
    [1.1, 2],
    [37, 50],
    [50, 50],
    [51, 100],
    [999, 1000],
  ];
  for (const [v, want] of cases) assert.equal(niceCeiling(v), want, String(v));
});

it('latencyChartSvg: p50 and p99 paths over the seconds, the target line, scaled to a nice maximum', () => {
  const svg = latencyChartSvg(
    [
      { second: 0, requests: 100, p50Ms: 2, p99Ms: 10 },
      { second: 1, requests: 120, p50Ms: 4, p99Ms: 20 },
      { second: 2, requests: 90, p50Ms: 3, p99Ms: 40 },
    ],
    { title: 'breast-cancer <load>', p99TargetMs: 25 },
  );
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<title>breast-cancer &lt;load&gt;<\/title>/);
  // plot: x 56…704, y 28…280; maximum 50 ms → p99 10 ms at y = 280 - 252 × 0.2 = 229.6
  assert.match(svg, /<path class="p99" d="M56\.0,229\.6 L380\.0,179\.2 L704\.0,78\.4"/);
  assert.match(svg, /<path class="p50" d="M56\.0,269\.9 L380\.0,259\.8 L704\.0,264\.9"/);
  assert.match(svg, /<line class="target" x1="56" x2="704" y1="154\.0" y2="154\.0"/);
  assert.match(svg, />p99 target 25\.0 ms</);
  assert.match(svg, />50\.0<\/text>/, 'top tick at the nice maximum');
  assert.doesNotMatch(svg, /<script|href=/);
});

it('latencyChartSvg: no data gives an empty plot, not NaN', () => {
  const svg = latencyChartSvg([], { title: 'empty' });
  assert.doesNotMatch(svg, /NaN|<path/);
});
