/** One second of a load test: when, how many answers, their median and 99th percentile latency. */
export interface LatencySecond {
  /** seconds since the start (0, 1, 2, …) */
  second: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

const W = 720;
const H = 320;
const M = { left: 56, right: 16, top: 28, bottom: 40 };

const fmt = (n: number) => (n === 0 ? '0' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" axis maximum at or above `max`: 1, 2 or 5 × a power of ten. Example: 37 → 50. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

/**
 * The latency-over-time chart of `modelgate loadtest --out`: p50 and p99 per second as two lines,
 * an optional horizontal line at the p99 target, plain SVG (no script, no external reference).
 */
export function latencyChartSvg(
  seconds: LatencySecond[],
  options: { title: string; p99TargetMs?: number },
): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const maxX = Math.max(1, seconds.length - 1);
  const maxY = niceCeiling(Math.max(options.p99TargetMs ?? 0, ...seconds.map((s) => s.p99Ms)));
  const x = (i: number) => M.left + (i / maxX) * plotW;
  const y = (ms: number) => M.top + plotH - (Math.min(ms, maxY) / maxY) * plotH;
  const line = (pick: (s: LatencySecond) => number) =>
    seconds.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(options.title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="16" font-size="13">${esc(options.title)}</text>`,
    ...ticks.map(
      (t) =>
        `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>` +
        `<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`,
    ),
    `<text x="14" y="${M.top + plotH / 2}" transform="rotate(-90 14 ${M.top + plotH / 2})" text-anchor="middle">latency (ms)</text>`,
    `<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle">seconds since start (0–${seconds.length > 0 ? seconds.length - 1 : 0})</text>`,
  ];
  if (options.p99TargetMs !== undefined)
    parts.push(
      `<line class="target" x1="${M.left}" x2="${W - M.right}" y1="${y(options.p99TargetMs).toFixed(1)}" y2="${y(options.p99TargetMs).toFixed(1)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${W - M.right}" y="${(y(options.p99TargetMs) - 4).toFixed(1)}" text-anchor="end" fill="#c00">p99 target ${fmt(options.p99TargetMs)} ms</text>`,
    );
  if (seconds.length > 0)
    parts.push(
      `<path class="p99" d="${line((s) => s.p99Ms)}" fill="none" stroke="#d95f02" stroke-width="2"/>`,
      `<path class="p50" d="${line((s) => s.p50Ms)}" fill="none" stroke="#1b9e77" stroke-width="2"/>`,
    );
  parts.push(
    `<text x="${W - M.right - 120}" y="16" fill="#1b9e77">— p50</text>`,
    `<text x="${W - M.right - 60}" y="16" fill="#d95f02">— p99</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
