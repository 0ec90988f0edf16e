import type { DriftVerdict } from '../monitoring/drift-assessment.js';
import type { DriftColumnReport, DriftReport } from '../monitoring/drift-report-data.js';
import { CHART_CSS, renderDriftChart } from './drift-chart.js';
import { escapeHtml } from './escape-html.js';
import { DASH, duration, fixed, meanStd, percent, pValue, shortHash } from './format-values.js';
import { htmlDocument } from './html-document.js';
import { VERDICT_CSS, VERDICT_TEXT, verdictBadge } from './verdict-badge.js';

// The report's shape is declared once, beside the code that builds it (monitoring).
export type { DriftColumnReport, DriftReport, DriftVerdict };

const REPORT_CSS = `
header dl.fields { margin-top: 12px; }
.rule { max-width: 80ch; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 200px; }
.card h3 { font-size: 0.9em; margin: 0 0 4px; color: var(--muted); font-weight: 600; }
.card p { margin: 0; }
tr.row-drift td:first-child { border-left: 4px solid #d55e00; }
tr.row-watch td:first-child { border-left: 4px solid #c9b400; }
`;

/**
 * The drift report as one self-contained HTML page: header (what was compared and how verdicts
 * are decided), summary, a table of every column, and one inline-SVG chart per column. No script
 * and no external resource; every string from the report is escaped in text and attributes.
 */
export function renderDriftReportHtml(report: DriftReport): string {
  const title = `Drift report: ${report.model} ${report.version}`;
  const body = [
    header(report, title),
    summary(report),
    `<section id="columns">\n<h2>Columns</h2>\n${columnsTable(report.columns)}\n</section>`,
    `<section id="charts">\n<h2>Distributions: reference vs live</h2>\n<div class="charts">\n` +
      `${report.columns.map((c, i) => renderDriftChart(c, i)).join('\n')}\n</div>\n</section>`,
  ];
  return htmlDocument(title, body.join('\n'), REPORT_CSS + VERDICT_CSS + CHART_CSS);
}

/** How verdicts are decided, in the words of assessDrift's rule, with this report's thresholds. */
export function verdictRule(o: DriftReport['options']): string {
  return (
    `Drift when PSI ≥ psi_act (${o.psi_act}), or when p (Benjamini-Hochberg adjusted) < alpha (${o.alpha}) ` +
    `and PSI ≥ psi_watch (${o.psi_watch}); watch when PSI ≥ psi_watch, or when the adjusted p < alpha alone; ` +
    `no verdict below min_samples (${o.min_samples}) live rows. ` +
    'PSI (population stability index) measures the size of the shift over the reference bins; ' +
    'the p-value comes from a Kolmogorov-Smirnov test (numeric) or a chi-square test (category). ' +
    'The features form one Benjamini-Hochberg family; the prediction is tested on its own.'
  );
}

function windowText(w: DriftReport['window']): string {
  const span =
    w.kind === 'count'
      ? `last ${w.size} predictions (count window)`
      : `last ${duration(w.size)} (time window)`;
  return `${span}: ${w.rows} rows`;
}

function header(r: DriftReport, title: string): string {
  const field = (label: string, value: string) => `<dt>${label}</dt><dd>${value}</dd>`;
  const hash = escapeHtml(r.reference.data_sha256);
  return `<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary">Live traffic of ${escapeHtml(r.model)} ${escapeHtml(r.version)} compared with its reference data, assessed at ${escapeHtml(r.assessed_at)}.</p>
<dl class="fields">
${field('Model', escapeHtml(r.model))}
${field('Version', `<code>${escapeHtml(r.version)}</code>`)}
${field('Assessed at', escapeHtml(r.assessed_at))}
${field('Live window', escapeHtml(windowText(r.window)))}
${field('Reference data', `${r.reference.rows} rows, sha256 <code title="${hash}">${escapeHtml(shortHash(r.reference.data_sha256))}</code>`)}
${field('Thresholds', `min_samples ${r.options.min_samples}, psi_watch ${r.options.psi_watch}, psi_act ${r.options.psi_act}, alpha ${r.options.alpha}`)}
</dl>
<p class="rule">${escapeHtml(verdictRule(r.options))}</p>
</header>`;
}

function names(list: string[]): string {
  return list.length
    ? list.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')
    : '<span class="gap">none</span>';
}

function summary(r: DriftReport): string {
  const counts = (Object.keys(VERDICT_TEXT) as DriftVerdict[])
    .map((v) => [v, r.columns.filter((c) => c.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${VERDICT_TEXT[v].toLowerCase()}`)
    .join(', ');
  const last = r.columns.at(-1);
  const prediction = last?.feature === 'prediction' ? verdictBadge(last.verdict) : '';
  const card = (heading: string, content: string, id: string) =>
    `<div class="card" id="${id}"><h3>${heading}</h3><p>${content}</p></div>`;
  return `<section id="summary">
<h2>Summary</h2>
<div class="cards">
${card(`Drifted features (${r.summary.drifted_features.length})`, names(r.summary.drifted_features), 'summary-drift')}
${card(`Watch features (${r.summary.watch_features.length})`, names(r.summary.watch_features), 'summary-watch')}
${card('Prediction', `${r.summary.prediction_drifted ? 'drifted' : 'not drifted'} ${prediction}`, 'summary-prediction')}
${card('Columns', `${r.columns.length}: ${counts || DASH}`, 'summary-columns')}
</div>
</section>`;
}

function columnsTable(columns: DriftColumnReport[]): string {
  const head = [
    'Feature',
    'Verdict',
    'PSI',
    'Test',
    'Statistic',
    'p',
    'Adjusted p',
    'n live / n reference',
    'Reference mean ± std',
    'Live mean ± std',
    'Missing (ref / live)',
  ];
  const num = (text: string) => `<td class="num">${escapeHtml(text)}</td>`;
  const rows = columns.map(
    (c, i) =>
      `<tr class="row-${c.verdict}" data-feature="${escapeHtml(c.feature)}">` +
      `<td><a href="#chart-${i}">${escapeHtml(c.feature)}</a></td><td>${verdictBadge(c.verdict)}</td>` +
      num(fixed(c.psi, 4)) +
      `<td>${c.test === 'ks' ? 'KS' : 'χ²'}</td>` +
      num(fixed(c.statistic, 4)) +
      num(pValue(c.p_value)) +
      num(pValue(c.p_adjusted)) +
      num(`${c.n_live} / ${c.n_reference}`) +
      num(meanStd(c.reference.mean, c.reference.std)) +
      num(meanStd(c.live.mean, c.live.std)) +
      num(`${percent(c.reference.missing_share)} / ${percent(c.live.missing_share)}`) +
      '</tr>',
  );
  return `<div class="table-wrap"><table>
<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}
