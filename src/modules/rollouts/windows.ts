/**
 * Deployment windows and freeze periods. A window is days and hours in UTC, e.g.
 * `Mon-Fri 09:00-17:00` (several separated by `;`); a freeze is an ISO interval
 * `2026-12-20T00:00:00Z/2027-01-04T00:00:00Z` (several separated by `,`).
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

interface Window {
  days: Set<number>;
  fromMin: number;
  toMin: number;
  text: string;
}

export function parseWindows(spec: string): Window[] {
  return spec
    .split(';')
    .map((w) => w.trim())
    .filter(Boolean)
    .map((text) => {
      const m = /^([A-Z][a-z]{2})(?:-([A-Z][a-z]{2}))? ([0-2]\d):([0-5]\d)-([0-2]\d):([0-5]\d)$/.exec(text);
      const a = m ? DAYS.indexOf(m[1]!) : -1;
      const b = m ? DAYS.indexOf(m[2] ?? m[1]!) : -1;
      if (!m || a < 0 || b < 0) throw new Error(`'${text}' is not a window like 'Mon-Fri 09:00-17:00'`);
      const days = new Set<number>();
      for (let d = a; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === b) break;
      }
      return {
        days,
        fromMin: Number(m[3]) * 60 + Number(m[4]),
        toMin: Number(m[5]) * 60 + Number(m[6]),
        text,
      };
    });
}

export function parseFreezes(spec: string): Array<{ from: number; to: number; text: string }> {
  return spec
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((text) => {
      const [a, b] = text.split('/');
      const from = Date.parse(a ?? '');
      const to = Date.parse(b ?? '');
      if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
        throw new Error(`'${text}' is not a freeze period like '2026-12-20T00:00:00Z/2027-01-04T00:00:00Z'`);
      }
      return { from, to, text };
    });
}

/** Why a rollout may not start at `nowMs`, or undefined when it may. */
export function windowProblem(windowSpec: string, freezeSpec: string, nowMs: number): string | undefined {
  for (const f of parseFreezes(freezeSpec)) {
    if (nowMs >= f.from && nowMs < f.to) {
      return `rollouts are frozen until ${new Date(f.to).toISOString()} (freeze ${f.text})`;
    }
  }
  const windows = parseWindows(windowSpec);
  if (windows.length === 0) return undefined;
  const d = new Date(nowMs);
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  const open = windows.some((w) => w.days.has(d.getUTCDay()) && minute >= w.fromMin && minute < w.toMin);
  return open
    ? undefined
    : `rollouts may start only within ${windows.map((w) => w.text).join('; ')} (UTC); it is ${d.toISOString()}`;
}
