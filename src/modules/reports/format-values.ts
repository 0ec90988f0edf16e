/** Shown for a value that is null or absent (a metric not computed, a std of one value). */
export const DASH = '—';

/** Fixed decimals, DASH for null; non-finite values as JavaScript spells them. Example: fixed(0.98765, 4) → '0.9877'. */
export function fixed(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined) return DASH;
  return Number.isFinite(value) ? value.toFixed(decimals) : String(value);
}

/** Four significant digits without trailing zeros, for means and deviations. Example: 14.12729 → '14.13'. */
export function significant(value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  return Number.isFinite(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** "mean ± std", or what is known of it. Example: meanStd(14.127, 3.52) → '14.13 ± 3.52'. */
export function meanStd(mean: number | null | undefined, std: number | null | undefined): string {
  if (mean === null || mean === undefined) return DASH;
  return std === null || std === undefined ? significant(mean) : `${significant(mean)} ± ${significant(std)}`;
}

/** A p-value: four decimals, scientific notation below 0.0001 so small values keep their size. */
export function pValue(value: number | null): string {
  if (value === null) return DASH;
  return value !== 0 && Math.abs(value) < 1e-4 ? value.toExponential(1) : fixed(value, 4);
}

/** A share in [0, 1] as a percentage with one decimal. Example: percent(0.1234) → '12.3%'. */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** The first 12 characters of a hash: enough to tell versions apart at a glance. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? hash.slice(0, 12) : hash;
}

/** Bytes for people, with the exact count. Example: bytes(2048) → '2.0 KiB (2048 bytes)'. */
export function bytes(size: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = '';
  for (const u of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = u;
  }
  return unit ? `${value.toFixed(1)} ${unit} (${size} bytes)` : `${size} bytes`;
}

/** A duration in seconds as the largest whole unit. Example: duration(5400) → '90 min', 86400 → '1 d'. */
export function duration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ];
  for (const [name, size] of units)
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${name}`;
  return `${seconds} s`;
}
