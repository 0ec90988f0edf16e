import type { DriftColumnReport } from './drift-report.js';
import { escapeHtml } from './escape-html.js';
import { fixed, percent, pValue } from './format-values.js';
import { VERDICT_TEXT, verdictBadge } from './verdict-badge.js';

/** Okabe-Ito blue and orange: told apart under every common colour-vision deficiency. */
const REFERENCE_COLOUR = '#0072b2';
const LIVE_COLOUR = '#e69f00';

const PLOT_HEIGHT = 180;
const TOP = 44;
const LEFT = 60;
const RIGHT = 16;
const MIN_WIDTH = 520;
const MIN_GROUP = 34;
/** Bin labels longer than this are cut, with the full label kept in a tooltip. */
const MAX_LABEL = 20;

/** Upper ends of the y axis with their tick step: the smallest that holds the tallest bar. */
const SCALES: ReadonlyArray<[max: number, step: number]> = [
  [0.05, 0.01],
  [0.1, 0.02],
  [0.2, 0.05],
  [0.25, 0.05],
  [0.4, 0.1],
  [0.5, 0.1],
  [0.6, 0.1],
  [0.8, 0.2],
  [1, 0.2],
];

/** The y axis for the tallest share. Example: yScale(0.13) → [0.2, 0.05]. */
export function yScale(maxShare: number): [max: number, step: number] {
  return SCALES.find(([max]) => maxShare <= max + 1e-12) ?? [1, 0.2];
}

const num = (x: number) => String(Math.round(x * 100) / 100);

/**
 * One figure per column: grouped bars of the reference and live share of each bin, drawn as inline
 * SVG. Bar height is share / yMax × PLOT_HEIGHT, so heights compare across bins of one chart; the
 * exact share is on each bar as data-share and in its tooltip. `index` makes the element id unique
 * (feature names are user data, so they never become ids).
 */
export function renderDriftChart(column: DriftColumnReport, index: number): string {
  const bins = column.bins;
  const rotate = bins.length > 6 || bins.some((b) => b.label.length > 8);
  const bottom = rotate ? 110 : 48;
  const group = Math.max(MIN_GROUP, (MIN_WIDTH - LEFT - RIGHT) / Math.max(1, bins.length));
  const width = LEFT + RIGHT + group * Math.max(1, bins.length);
  const height = TOP + PLOT_HEIGHT + bottom;
  const base = TOP + PLOT_HEIGHT;
  const [yMax, step] = yScale(Math.max(0, ...bins.flatMap((b) => [b.reference, b.live])));
  const y = (share: number) => base - (Math.min(share, yMax) / yMax) * PLOT_HEIGHT;

  const ticks: string[] = [];
  for (let k = 0; k * step <= yMax + 1e-9; k++) {
    const ty = num(y(k * step));
    ticks.push(
      `<line class="grid" x1="${LEFT}" x2="${num(width - RIGHT)}" y1="${ty}" y2="${ty}"/>` +
        `<text class="tick" x="${LEFT - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${Math.round(k * step * 100)}%</text>`,
    );
  }

  const barWidth = group * 0.36;
  const bars = bins.map((b, i) => {
    const x0 = LEFT + i * group + group * 0.14;
    const label = escapeHtml(b.label);
    const bar = (kind: 'reference' | 'live', share: number, x: number) =>
      `<rect class="bar ${kind}" data-bin="${i}" data-share="${share}" x="${num(x)}" y="${num(y(share))}" ` +
      `width="${num(barWidth)}" height="${num(base - y(share))}"><title>${kind}: ${percent(share)} of rows in ${label}</title></rect>`;
    const cx = LEFT + (i + 0.5) * group;
    const short = b.label.length > MAX_LABEL ? `${b.label.slice(0, MAX_LABEL - 1)}…` : b.label;
    const text = rotate
      ? `<text class="bin-label" x="${num(cx)}" y="${base + 12}" text-anchor="end" transform="rotate(-40 ${num(cx)} ${base + 12})">`
      : `<text class="bin-label" x="${num(cx)}" y="${base + 16}" text-anchor="middle">`;
    return (
      bar('reference', b.reference, x0) +
      bar('live', b.live, x0 + barWidth) +
      `${text}<title>${label}</title>${escapeHtml(short)}</text>`
    );
  });

  const axisTitle =
    column.feature === 'prediction' ? 'model output' : column.kind === 'numeric' ? 'value bins' : 'category';
  const noLive =
    column.n_live === 0
      ? `<text class="note" x="${num((LEFT + width - RIGHT) / 2)}" y="${TOP + 24}" text-anchor="middle">no live rows yet</text>`
      : '';
  const feature = escapeHtml(column.feature);
  const aria = escapeHtml(
    `Share of rows per bin, reference versus live, for ${column.feature}: verdict ${VERDICT_TEXT[column.verdict]}, PSI ${fixed(column.psi, 4)}`,
  );
  const legend =
    `<g class="legend" transform="translate(${LEFT} 14)">` +
    `<rect x="0" y="0" width="12" height="12" fill="${REFERENCE_COLOUR}"/><text x="17" y="10">Reference (n = ${column.n_reference})</text>` +
    `<rect x="190" y="0" width="12" height="12" fill="${LIVE_COLOUR}"/><text x="207" y="10">Live (n = ${column.n_live})</text></g>`;
  const test = column.test === 'ks' ? 'KS' : 'χ²';
  return `<figure class="drift-chart" id="chart-${index}" data-feature="${feature}" data-verdict="${column.verdict}">
<figcaption><span class="feature">${feature}</span> ${verdictBadge(column.verdict)} <span class="stats">PSI ${fixed(column.psi, 4)} · ${test} p (adjusted) ${pValue(column.p_adjusted)}</span></figcaption>
<svg role="img" aria-label="${aria}" viewBox="0 0 ${num(width)} ${height}" width="${num(width)}" height="${height}" xmlns="http://www.w3.org/2000/svg">
${legend}
${ticks.join('\n')}
<line class="axis" x1="${LEFT}" x2="${num(width - RIGHT)}" y1="${base}" y2="${base}"/>
<line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${base}"/>
${bars.join('\n')}
${noLive}
<text class="axis-title" transform="rotate(-90 14 ${base - PLOT_HEIGHT / 2})" x="14" y="${base - PLOT_HEIGHT / 2}" text-anchor="middle">share of rows</text>
<text class="axis-title" x="${num((LEFT + width - RIGHT) / 2)}" y="${height - 6}" text-anchor="middle">${axisTitle}</text>
</svg>
</figure>`;
}

export const CHART_CSS = `
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
figure.drift-chart { margin: 0; padding: 8px 12px 4px; border: 1px solid var(--line); border-radius: 6px; }
figure.drift-chart figcaption { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
figure.drift-chart .feature { font-weight: 600; overflow-wrap: anywhere; }
figure.drift-chart .stats { color: var(--muted); font-size: 0.85em; }
figure.drift-chart svg { display: block; width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #1b1f24; }
svg .tick, svg .bin-label { font-size: 10px; fill: #57606a; }
svg .axis-title { font-size: 11px; fill: #57606a; }
svg .note { font-size: 12px; font-style: italic; fill: #57606a; }
svg .grid { stroke: #e6e9ed; }
svg .axis { stroke: #57606a; }
svg rect.reference { fill: ${REFERENCE_COLOUR}; }
svg rect.live { fill: ${LIVE_COLOUR}; }
`;
