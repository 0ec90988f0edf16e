// The drift report and the model card opened in a real Chromium (Debian's, never a downloaded
// one): charts render with bars of the right size, nothing is fetched, injected markup stays inert.
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { renderDriftReportHtml } from '../../src/modules/reports/drift-report.js';
import { renderModelCardHtml, type ModelCardData } from '../../src/modules/reports/model-card.js';
import { CHROMIUM, launchChromium, open, skipWithoutChromium, type PageGlobals } from './chromium.js';
import { DRIFTED_FEATURE, syntheticDriftReport } from './synthetic-drift-report.js';

const skip = skipWithoutChromium(CHROMIUM);
const dir = mkdtempSync(join(tmpdir(), 'modelgate-reports-'));

describe('reports in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('draws the drift report: one chart per column, bars sized by share, nothing fetched', async (t) => {
    const started = Date.now();
    const report = syntheticDriftReport();
    const file = join(dir, 'drift-report.html');
    writeFileSync(file, renderDriftReportHtml(report));
    const { page, requests, errors } = await open(browser, file);

    const figures = page.locator('figure.drift-chart');
    assert.equal(await figures.count(), report.columns.length);
    assert.equal(report.columns.length, 32, '30 measurements, a category and the prediction');

    // The callback runs in the page; the project compiles without the DOM lib, hence the local types.
    const charts = await page.evaluate(() =>
      Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('figure.drift-chart')).map(
        (figure) => {
          const box = figure.querySelector('svg')!.getBoundingClientRect();
          return {
            feature: figure.dataset.feature,
            svg: { width: box.width, height: box.height },
            bars: Array.from(figure.querySelectorAll('rect.bar')).map((r) => ({
              share: Number(r.dataset.share),
              height: r.getBoundingClientRect().height,
            })),
            labels: Array.from(figure.querySelectorAll('text.bin-label title')).map((e) => e.textContent),
          };
        },
      ),
    );
    for (const [i, chart] of charts.entries()) {
      const column = report.columns[i]!;
      assert.equal(chart.feature, column.feature);
      assert.ok(
        chart.svg.width > 300 && chart.svg.height > 150,
        `${chart.feature}: ${JSON.stringify(chart.svg)}`,
      );
      assert.deepEqual(
        chart.labels,
        column.bins.map((b) => b.label),
      );
      assert.equal(chart.bars.length, 2 * column.bins.length);
      // the bars carry the report's shares, reference and live per bin, not shares of their own
      const drawn = chart.bars.map((b) => b.share).sort((a, b) => a - b);
      const shares = column.bins.flatMap((b) => [b.reference, b.live]).sort((a, b) => a - b);
      drawn.forEach((x, k) =>
        assert.ok(Math.abs(x - shares[k]!) < 1e-6, `${chart.feature}: ${x} vs ${shares[k]}`),
      );
      // pixels per unit of share, from the tallest bar; every bar must agree within a pixel
      const tallest = chart.bars.reduce((a, b) => (b.share > a.share ? b : a));
      const scale = tallest.height / tallest.share;
      assert.ok(tallest.height > 100, `${chart.feature}: tallest bar ${tallest.height}px`);
      for (const bar of chart.bars)
        assert.ok(
          Math.abs(bar.height - bar.share * scale) <= 1,
          `${chart.feature}: ${JSON.stringify(bar)} at ${scale}px`,
        );
    }

    const drifted = page.locator(`figure.drift-chart[data-feature="${DRIFTED_FEATURE}"]`);
    assert.equal(await drifted.getAttribute('data-verdict'), 'drift');
    const verdict = drifted.locator('figcaption .verdict');
    await verdict.scrollIntoViewIfNeeded();
    assert.equal(await verdict.isVisible(), true);
    assert.equal(await verdict.innerText(), 'Drift');
    const driftCharts = await page.locator('figure.drift-chart[data-verdict="drift"]').all();
    assert.deepEqual(await Promise.all(driftCharts.map((c) => c.getAttribute('data-feature'))), [
      DRIFTED_FEATURE,
    ]);

    assert.deepEqual(requests, [pathToFileURL(file).href]);
    assert.deepEqual(errors, []);

    const screenshot = join(dir, 'drift-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 100_000, `screenshot of ${statSync(screenshot).size} bytes`);
    t.diagnostic(`screenshot: ${screenshot}`);
    t.diagnostic(`rendered and checked in ${Date.now() - started} ms`);
    await page.close();
  });

  it('shows the model card with its headings, and an injected script does not run', async () => {
    const injected = `<script>window.__pwned = true</script><img src="x" onerror="window.__pwned = true">`;
    const html = renderModelCardHtml(card(injected));
    // Without the page's Content-Security-Policy too: escaping alone must keep the markup inert.
    const withoutCsp = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\n/, '');
    assert.notEqual(withoutCsp, html);
    for (const [name, content] of [
      ['model-card.html', html],
      ['model-card-no-csp.html', withoutCsp],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, content);
      const { page, requests, errors } = await open(browser, file);
      assert.equal(await page.locator('h1').innerText(), 'Model card: breast-cancer 1.4.0');
      assert.deepEqual(await page.locator('h2').allInnerTexts(), [
        'Model details',
        'Intended use',
        'Training data',
        'Metrics',
        'Features',
        'Limitations',
        'Ethical considerations',
        'Provenance',
      ]);
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { __pwned?: boolean }).__pwned),
        undefined,
      );
      assert.equal(await page.locator('script, img').count(), 0);
      const description = page.locator('dt:text-is("Description") + dd');
      assert.equal(await description.innerText(), injected);
      assert.equal(await page.locator('#limitations p').innerText(), 'Not stated.');
      assert.deepEqual(requests, [pathToFileURL(file).href]);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });
});

function card(description: string): ModelCardData {
  return {
    model: 'breast-cancer',
    version: '1.4.0',
    display_id: 'v7',
    task: 'binary_classification',
    description,
    changelog: 'First version.',
    created_at: '2025-03-01T10:00:00.000Z',
    created_by: 'alice',
    artifact_sha256: 'a'.repeat(64),
    manifest_sha256: 'b'.repeat(64),
    files: [{ path: 'model.onnx', sha256: 'a'.repeat(64), size: 40_960, role: 'model' }],
    aliases: [],
    lifecycle: {
      state: 'active',
      reason: null,
      changed_at: null,
      changed_by: null,
      artifact: 'present',
      artifact_collected_at: null,
    },
    features: [{ name: 'mean radius', type: 'number', min: 6.98, max: 28.11, nullable: false }],
    declared_metrics: { roc_auc: 0.99 },
    evaluations: [],
    reference: null,
  };
}
