// Number and time formatting for the pages: pure, so the tests can pin it down.

/** 0.0123 → "1.23%"; null → "–". */
export function pct(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}

/** A number with at most `digits` significant decimals, trailing zeros dropped; null → "–". */
export function num(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x !== 0 && Math.abs(x) < 10 ** -digits) return x.toExponential(2);
  return String(Number(x.toFixed(digits)));
}

/** A p-value: small ones in scientific notation. */
export function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–';
  if (p === 0) return '0';
  return p < 0.001 ? p.toExponential(2) : p.toFixed(3);
}

/** 754 → "12 min 34 s"; 5 → "5 s"; 3725 → "1 h 2 min". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** ISO time → "2026-11-23 10:04:05 UTC" (UTC, like the audit log and the CLI). */
export function time(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The first 12 hex digits of a SHA-256, enough to tell versions apart on screen. */
export const shortHash = (sha: string): string => sha.slice(0, 12);

/** 2048 → "2.0 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
