// Charts drawn as SVG by the console itself (ADR 0012): a few dozen bars or a few thousand points,
// text and titles a screen reader can read, and no inline styles for the CSP to refuse.
import { num } from '../logic/format.js';

/** Reference against live share per bin of one feature. */
export function BinChart(props: {
  label: string;
  bins: Array<{ label: string; reference: number; live: number }>;
}) {
  const { bins } = props;
  const W = 320;
  const H = 120;
  const top = Math.max(0.0001, ...bins.flatMap((b) => [b.reference, b.live]));
  const slot = W / Math.max(1, bins.length);
  const bar = Math.max(1, slot / 2 - 1);
  const y = (share: number) => H - (share / top) * (H - 4);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H + 2}`} role="img" aria-label={props.label} preserveAspectRatio="none">
        <title>{props.label}</title>
        {bins.map((b, i) => (
          <g key={i}>
            <title>{`${b.label}: reference ${(b.reference * 100).toFixed(1)}%, live ${(b.live * 100).toFixed(1)}%`}</title>
            <rect class="ref" x={i * slot} y={y(b.reference)} width={bar} height={H - y(b.reference)} />
            <rect class="live" x={i * slot + bar + 1} y={y(b.live)} width={bar} height={H - y(b.live)} />
          </g>
        ))}
        <line class="axis" x1="0" x2={W} y1={H} y2={H} />
      </svg>
      <figcaption class="legend">
        <span class="key ref">reference</span> <span class="key live">live</span>{' '}
        <span class="muted">highest bin {(top * 100).toFixed(1)}%</span>
      </figcaption>
    </figure>
  );
}

export interface Series {
  name: string;
  /** a CSS class: the stroke colour and dash pattern (distinct without colour too) */
  tone: 'stable' | 'candidate';
  points: Array<{ t: number; v: number | null }>;
}

/** Lines over time; gaps where a series has no value. */
export function LineChart(props: { title: string; unit: (v: number) => string; series: Series[] }) {
  const W = 600;
  const H = 160;
  const all = props.series.flatMap((s) => s.points);
  const values = all.map((p) => p.v).filter((v): v is number => v !== null);
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const top = Math.max(values.length > 0 ? Math.max(...values) : 0, 1e-9) * 1.1;
  const x = (t: number) => (t1 > t0 ? ((t - t0) / (t1 - t0)) * W : W / 2);
  const y = (v: number) => H - (v / top) * H;
  const path = (s: Series) => {
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  const latest = props.series
    .map((s) => {
      const last = [...s.points].reverse().find((p) => p.v !== null);
      return `${s.name} ${last?.v === null || last === undefined ? 'no data' : props.unit(last.v)}`;
    })
    .join(', ');
  const seconds = all.length > 0 ? Math.round((t1 - t0) / 1000) : 0;
  return (
    <figure class="chart line-chart">
      <figcaption>
        <strong>{props.title}</strong>{' '}
        <span class="muted">
          last {seconds} s; now: {latest}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H + 2}`}
        role="img"
        aria-label={`${props.title} over the last ${seconds} seconds; now ${latest}`}
        preserveAspectRatio="none"
      >
        <line class="axis" x1="0" x2={W} y1={H} y2={H} />
        <line class="grid" x1="0" x2={W} y1={y(top / 1.1)} y2={y(top / 1.1)} />
        {props.series.map((s) => (
          <path key={s.name} class={`series ${s.tone}`} d={path(s)} />
        ))}
      </svg>
      <div class="legend">
        {props.series.map((s) => (
          <span key={s.name} class={`key ${s.tone}`}>
            {s.name}
          </span>
        ))}{' '}
        <span class="muted">top {props.unit(top / 1.1)}</span>
      </div>
    </figure>
  );
}

export const asMs = (v: number) => `${num(v, 1)} ms`;
export const asPct = (v: number) => `${(v * 100).toFixed(2)}%`;
export const asCount = (v: number) => String(Math.round(v));
