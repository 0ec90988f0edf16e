import { usage } from './cli-error.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const RELATIVE = /^(\d+)(s|m|h|d|w)$/;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A time given on the command line (`--since`, `--until`), as an ISO 8601 instant: a duration
 * back from now (`30m`, `1h`, `7d`, `2w`, `90s`), or an ISO 8601 date or time (a date alone is
 * midnight UTC). Example: at 2026-11-02T12:00:00Z, `1h` → 2026-11-02T11:00:00.000Z.
 */
export function parseTimeOption(option: string, text: string, nowMs: number): string {
  const value = text.trim();
  const rel = RELATIVE.exec(value);
  if (rel) return new Date(nowMs - Number(rel[1]) * UNIT_SECONDS[rel[2]!]! * 1000).toISOString();
  const ms = ISO.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw usage(`${option} takes a duration back from now (30m, 1h, 7d) or an ISO 8601 time, not '${text}'`);
  return new Date(ms).toISOString();
}

/**
 * A duration given on the command line (`--older-than`), in seconds: a number and a unit (`90s`,
 * `30m`, `12h`, `30d`, `2w`). Example: `30d` → 2592000.
 */
export function parseDurationOption(option: string, text: string): number {
  const rel = RELATIVE.exec(text.trim());
  if (!rel) throw usage(`${option} takes a duration such as 12h, 30d or 2w, not '${text}'`);
  return Number(rel[1]) * UNIT_SECONDS[rel[2]!]!;
}
