// Draws docs/benchmarks.md's results from bench/results/*.json (written by each bench of
// `npm run bench`): per workload one SVG (throughput and p99 by concurrency, one bar per server)
// under docs/benchmarks/, and a table, between the markers in docs/benchmarks.md. Plain SVG, no
// script. Run on its own: `tsx bench/charts.ts`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../scripts/serve-process.js';
import { readResults, type BenchFile, type BenchRow } from './lib/results.js';

const DOC = join(ROOT, 'docs/benchmarks.md');
const SVG_DIR = join(ROOT, 'docs/benchmarks');
const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
const COLOURS = ['#2563eb', '#9ca3af', '#16a34a', '#d97706', '#7c3aed'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en') : n >= 10 ? n.toFixed(1) : n.toFixed(2);

export function slug(workload: string): string {
  return workload
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A "nice" axis maximum at or above `max`: 1, 2 or 5 × a power of ten. */
function nice(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

/** One panel: groups by concurrency, one bar per server. */
function panel(
  rows: BenchRow[],
  servers: string[],
  value: (r: BenchRow) => number,
  title: string,
  x0: number,
): string {
  const W = 380;
  const H = 260;
  const M = { left: 56, right: 8, top: 28, bottom: 36 };
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const concurrencies = [...new Set(rows.map((r) => r.connections))].sort((a, b) => a - b);
  const max = nice(Math.max(...rows.map(value)));
  const groupW = plotW / concurrencies.length;
  const barW = (groupW * 0.8) / servers.length;
  const y = (v: number) => M.top + plotH - (v / max) * plotH;
  const out: string[] = [`<g transform="translate(${x0},0)">`];
  out.push(`<text x="${M.left}" y="18" font-size="13" font-weight="600">${esc(title)}</text>`);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const v = f * max;
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  concurrencies.forEach((c, gi) => {
    const gx = M.left + gi * groupW + groupW * 0.1;
    servers.forEach((s, si) => {
      const r = rows.find((row) => row.connections === c && row.server === s);
      if (!r) return;
      const v = value(r);
      out.push(
        `<rect x="${(gx + si * barW).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(M.top + plotH - y(v)).toFixed(1)}" fill="${COLOURS[si % COLOURS.length]}"><title>${esc(`${s}, ${c} connections: ${fmt(v)}`)}</title></rect>`,
      );
    });
    out.push(
      `<text x="${(M.left + gi * groupW + groupW / 2).toFixed(1)}" y="${H - 18}" font-size="11" text-anchor="middle">${c} conn.</text>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

/** The SVG of one workload: throughput (rows/s when requests carry several rows) and p99. */
export function workloadSvg(workload: string, rows: BenchRow[]): string {
  const servers = [...new Set(rows.map((r) => r.server))];
  const perRow = rows.some((r) => r.rowsPerSecond !== undefined);
  const legend = servers
    .map(
      (s, i) =>
        `<rect x="${16 + i * 190}" y="272" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="${32 + i * 190}" y="282" font-size="12">${esc(s)}</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="760" height="292" viewBox="0 0 760 292" font-family="system-ui, sans-serif">`,
    `<title>${esc(workload)}</title>`,
    '<rect width="760" height="292" fill="white"/>',
    panel(
      rows,
      servers,
      (r) => (perRow ? (r.rowsPerSecond ?? 0) : r.rps),
      perRow ? `${workload}: rows/s` : `${workload}: req/s`,
      0,
    ),
    panel(rows, servers, (r) => r.p99Ms, 'p99 latency, ms', 380),
    legend,
    '</svg>',
    '',
  ].join('\n');
}

/** The markdown between the markers: per workload its chart and table, ratios against bare. */
export function resultsMarkdown(files: BenchFile[]): string {
  const lines: string[] = [];
  for (const f of files) {
    const workloads = [...new Set(f.rows.map((r) => r.workload))];
    lines.push(
      `### ${f.bench}`,
      '',
      `${f.at.slice(0, 16).replace('T', ' ')} UTC, Node ${f.node}, ${f.cpus} CPUs, load average ${f.loadAverage} at the end${f.loadGenerator ? `, load from ${f.loadGenerator}` : ''} (bench/results/${f.bench}.json).`,
      '',
    );
    for (const w of workloads) {
      const rows = f.rows.filter((r) => r.workload === w);
      const perRow = rows.some((r) => r.rowsPerSecond !== undefined);
      lines.push(`![${w}](benchmarks/${slug(`${f.bench}-${w}`)}.svg)`, '');
      lines.push(
        `| ${w} | connections | ${perRow ? 'rows/s' : 'req/s'} | p50 ms | p99 ms | vs bare |`,
        '|---|---|---|---|---|---|',
      );
      for (const r of rows) {
        const bare = rows.find((b) => b.server === 'bare' && b.connections === r.connections);
        const v = (x: BenchRow) => (perRow ? (x.rowsPerSecond ?? 0) : x.rps);
        const ratio = bare && r.server !== 'bare' ? `${(v(r) / v(bare)).toFixed(2)}×` : '';
        lines.push(
          `| ${r.server} | ${r.connections} | ${fmt(v(r))} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${ratio} |`,
        );
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

export function updateDoc(files: BenchFile[]): void {
  mkdirSync(SVG_DIR, { recursive: true });
  for (const f of files) {
    for (const w of new Set(f.rows.map((r) => r.workload))) {
      writeFileSync(
        join(SVG_DIR, `${slug(`${f.bench}-${w}`)}.svg`),
        workloadSvg(
          w,
          f.rows.filter((r) => r.workload === w),
        ),
      );
    }
  }
  const doc = readFileSync(DOC, 'utf8');
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/benchmarks.md has no ${START} … ${END} block`);
  writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n\n${resultsMarkdown(files)}\n${doc.slice(b)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = readResults();
  updateDoc(files);
  console.log(`docs/benchmarks.md: ${files.length} result files drawn`);
}
