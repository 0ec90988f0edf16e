import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { yScale } from './drift-chart.js';
import {
  renderDriftReportHtml,
  verdictRule,
  type DriftColumnReport,
  type DriftReport,
} from './drift-report.js';

function column(feature: string, overrides: Partial<DriftColumnReport> = {}): DriftColumnReport {
  return {
    feature,
    kind: 'numeric',
    n_reference: 569,
    n_live: 400,
    psi: 0.0123,
    test: 'ks',
    statistic: 0.05,
    p_value: 0.4,
    p_adjusted: 0.8,
    verdict: 'ok',
    reference: { mean: 14.12729, std: 3.524, missing_share: 0 },
    live: { mean: 14.3, std: 3.6, missing_share: 0.01 },
    bins: [
      { label: '(-∞, 11.2]', reference: 0.25, live: 0.2 },
      { label: '(11.2, 12.5]', reference: 0.25, live: 0.3 },
      { label: '(12.5, 15.9]', reference: 0.25, live: 0.1 },
      { label: '(15.9, ∞)', reference: 0.25, live: 0.4 },
    ],
    ...overrides,
  };
}

function report(overrides: Partial<DriftReport> = {}): DriftReport {
  return {
    model: 'breast-cancer',
    version: '1.4.0',
    assessed_at: '2025-03-14T09:26:53.000Z',
    window: { kind: 'count', size: 1000, rows: 400 },
    reference: { rows: 569, data_sha256: 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90' },
    options: { min_samples: 200, psi_watch: 0.1, psi_act: 0.25, alpha: 0.05 },
    summary: { drifted_features: ['mean radius'], watch_features: [], prediction_drifted: false },
    columns: [
      column('mean radius', {
        psi: 0.41234,
        statistic: 0.3,
        p_value: 2e-9,
        p_adjusted: 4e-9,
        verdict: 'drift',
      }),
      column('mean texture'),
      column('clinic', {
        kind: 'category',
        test: 'chi2',
        reference: { mean: null, std: null, missing_share: 0.02 },
        live: { mean: null, std: null, missing_share: 0 },
        bins: [
          { label: 'north', reference: 0.6, live: 0.55 },
          { label: 'south', reference: 0.3, live: 0.35 },
          { label: 'other', reference: 0.1, live: 0.1 },
        ],
      }),
      column('prediction'),
    ],
    ...overrides,
  };
}

interface Bar {
  kind: string;
  bin: number;
  share: number;
  height: number;
}

/** Each chart's bars, by figure, parsed from the markup the browser test also relies on. */
function charts(html: string): Array<{ feature: string; verdict: string; bars: Bar[]; labels: string[] }> {
  return [
    ...html.matchAll(
      /<figure class="drift-chart" id="chart-\d+" data-feature="([^"]*)" data-verdict="([^"]*)">([\s\S]*?)<\/figure>/g,
    ),
  ].map(([, feature, verdict, body]) => ({
    feature: feature!,
    verdict: verdict!,
    bars: [
      ...body!.matchAll(
        /<rect class="bar (reference|live)" data-bin="(\d+)" data-share="([^"]+)" x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"/g,
      ),
    ].map((m) => ({ kind: m[1]!, bin: Number(m[2]), share: Number(m[3]), height: Number(m[4]) })),
    labels: [...body!.matchAll(/<text class="bin-label"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]!),
  }));
}

describe('renderDriftReportHtml', () => {
  it('is one self-contained page with no script and no external resource', () => {
    const html = renderDriftReportHtml(report());
    assert.ok(html.startsWith('<!doctype html>'));
    assert.equal(/<script|<link|\bsrc=|href="(?!#)|url\(/i.test(html), false);
    assert.match(html, /<h1>Drift report: breast-cancer 1\.4\.0<\/h1>/);
    assert.match(html, /<dt>Live window<\/dt><dd>last 1000 predictions \(count window\): 400 rows<\/dd>/);
    assert.match(html, /569 rows, sha256 <code title="a1b2c3d4e5f6[0-9a-f]{52}">a1b2c3d4e5f6<\/code>/);
  });

  it('states the thresholds and how verdicts follow from them', () => {
    const html = renderDriftReportHtml(report());
    assert.ok(
      html.includes(
        'Drift when PSI ≥ psi_act (0.25), or when p (Benjamini-Hochberg adjusted) &lt; alpha (0.05) and PSI ≥ psi_watch (0.1); ' +
          'watch when PSI ≥ psi_watch, or when the adjusted p &lt; alpha alone; no verdict below min_samples (200) live rows.',
      ),
    );
    assert.match(
      verdictRule({ min_samples: 50, psi_watch: 0.2, psi_act: 0.3, alpha: 0.01 }),
      /psi_act \(0\.3\).*alpha \(0\.01\).*psi_watch \(0\.2\).*min_samples \(50\)/,
    );
  });

  it('summarises drifted and watched features and the prediction', () => {
    const html = renderDriftReportHtml(report());
    assert.match(html, /<h3>Drifted features \(1\)<\/h3><p><code>mean radius<\/code><\/p>/);
    assert.match(html, /<h3>Watch features \(0\)<\/h3><p><span class="gap">none<\/span><\/p>/);
    assert.match(html, /<h3>Prediction<\/h3><p>not drifted <span class="verdict verdict-ok">OK<\/span><\/p>/);
    assert.match(html, /<h3>Columns<\/h3><p>4: 1 drift, 3 ok<\/p>/);
  });

  it('tabulates every column with its verdict, statistics and mean ± std', () => {
    const html = renderDriftReportHtml(report());
    const row = /<tr class="row-drift" data-feature="mean radius">(.*?)<\/tr>/.exec(html)?.[1];
    assert.equal(
      row,
      '<td><a href="#chart-0">mean radius</a></td><td><span class="verdict verdict-drift">Drift</span></td>' +
        '<td class="num">0.4123</td><td>KS</td><td class="num">0.3000</td><td class="num">2.0e-9</td><td class="num">4.0e-9</td>' +
        '<td class="num">400 / 569</td><td class="num">14.13 ± 3.524</td><td class="num">14.3 ± 3.6</td><td class="num">0.0% / 1.0%</td>',
    );
    assert.match(
      html,
      /data-feature="clinic">.*<td>χ²<\/td>.*<td class="num">—<\/td><td class="num">—<\/td><td class="num">2\.0% \/ 0\.0%<\/td>/,
    );
  });

  it('draws one chart per column, its verdict in the title, bars proportional to the shares', () => {
    const parsed = charts(renderDriftReportHtml(report()));
    assert.deepEqual(
      parsed.map((c) => [c.feature, c.verdict]),
      [
        ['mean radius', 'drift'],
        ['mean texture', 'ok'],
        ['clinic', 'ok'],
        ['prediction', 'ok'],
      ],
    );
    const first = parsed[0]!;
    assert.equal(first.bars.length, 8);
    // tallest share 0.4 → y axis to 40%: the 180-unit plot is 450 units per unit of share
    assert.deepEqual(
      first.bars.map((b) => [b.kind, b.bin, b.share, b.height]),
      [
        ['reference', 0, 0.25, 112.5],
        ['live', 0, 0.2, 90],
        ['reference', 1, 0.25, 112.5],
        ['live', 1, 0.3, 135],
        ['reference', 2, 0.25, 112.5],
        ['live', 2, 0.1, 45],
        ['reference', 3, 0.25, 112.5],
        ['live', 3, 0.4, 180],
      ],
    );
    for (const chart of parsed) {
      const scale =
        Math.max(...chart.bars.map((b) => b.height)) / Math.max(...chart.bars.map((b) => b.share));
      for (const b of chart.bars)
        assert.ok(Math.abs(b.height - b.share * scale) < 0.01, `${chart.feature} bin ${b.bin}`);
    }
    assert.deepEqual(first.labels, ['(-∞, 11.2]', '(11.2, 12.5]', '(12.5, 15.9]', '(15.9, ∞)']);
    assert.deepEqual(parsed[2]!.labels, ['north', 'south', 'other']);
    const html = renderDriftReportHtml(report());
    assert.match(
      html,
      /<figcaption><span class="feature">mean radius<\/span> <span class="verdict verdict-drift">Drift<\/span> <span class="stats">PSI 0\.4123 · KS p \(adjusted\) 4\.0e-9<\/span><\/figcaption>/,
    );
    assert.match(
      html,
      /aria-label="Share of rows per bin, reference versus live, for mean radius: verdict Drift, PSI 0\.4123"/,
    );
    assert.match(html, /Reference \(n = 569\)<\/text>.*Live \(n = 400\)<\/text>/);
  });

  it('says so when no live rows arrived, with live bars of zero height', () => {
    const empty = column('x', {
      n_live: 0,
      psi: null,
      statistic: null,
      p_value: null,
      p_adjusted: null,
      verdict: 'insufficient_data',
    });
    empty.bins = empty.bins.map((b) => ({ ...b, live: 0 }));
    const html = renderDriftReportHtml(
      report({ columns: [empty], window: { kind: 'time', size: 3600, rows: 0 } }),
    );
    assert.match(html, /no live rows yet/);
    assert.match(html, /last 1 h \(time window\): 0 rows/);
    assert.deepEqual(
      charts(html)[0]!
        .bars.filter((b) => b.kind === 'live')
        .map((b) => b.height),
      [0, 0, 0, 0],
    );
    assert.match(html, /<span class="verdict verdict-insufficient_data">Insufficient data<\/span>/);
  });

  it('escapes feature names, bin labels and model names in text and attributes', () => {
    const evil = column(`"><img src=x onerror=alert(1)>`, {
      bins: [{ label: `<script>alert(1)</script>`, reference: 1, live: 1 }],
    });
    const html = renderDriftReportHtml(report({ model: '<b>m</b>', columns: [evil] }));
    assert.equal(/<script|<img|<b>/.test(html), false);
    assert.match(html, /data-feature="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
    assert.match(html, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/);
    assert.match(html, /<title>Drift report: &lt;b&gt;m&lt;\/b&gt; 1\.4\.0<\/title>/);
  });
});

describe('yScale', () => {
  const cases: Array<[number, [number, number]]> = [
    [0, [0.05, 0.01]],
    [0.05, [0.05, 0.01]],
    [0.13, [0.2, 0.05]],
    [0.25, [0.25, 0.05]],
    [0.41, [0.5, 0.1]],
    [1, [1, 0.2]],
  ];
  for (const [share, expected] of cases) it(`fits ${share}`, () => assert.deepEqual(yScale(share), expected));
});
