import { PANES, type WindowSpec } from './live-window.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `count:N` → the last N rows; `time:D` → the last D seconds, D with a unit (`30m`, `1h`, `7d`).
 * Example: parseWindowSpec('time:1h') = { kind: 'time', seconds: 3600 }.
 */
export function parseWindowSpec(text: string): WindowSpec {
  const count = /^count:([1-9][0-9]*)$/.exec(text.trim());
  if (count) {
    const size = Number(count[1]);
    if (size < PANES)
      throw new Error(`'${text}': a count window needs at least ${PANES} rows (one per pane)`);
    return { kind: 'count', size };
  }
  const time = /^time:([1-9][0-9]*)([smhd])$/.exec(text.trim());
  if (time) return { kind: 'time', seconds: Number(time[1]) * UNIT_SECONDS[time[2]!]! };
  throw new Error(`'${text}' is not a window; expected count:N or time:D with D like 30m, 1h, 7d`);
}
