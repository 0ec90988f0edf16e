import type { DriftColumn } from '../api/types.js';

export type DriftSort = 'manifest' | 'psi';

/** A column counts as drifted when its verdict says so (the report's own rule: PSI and a test). */
export const isDrifted = (c: DriftColumn): boolean => c.verdict === 'drift';

/**
 * The columns to draw: in manifest order or by PSI (highest first; columns without a PSI last,
 * ties in manifest order), optionally only the drifted ones.
 */
export function visibleColumns(
  columns: readonly DriftColumn[],
  options: { sort: DriftSort; driftedOnly: boolean },
): DriftColumn[] {
  const shown = columns.filter((c) => !options.driftedOnly || isDrifted(c));
  if (options.sort === 'manifest') return shown;
  return shown
    .map((c, i) => ({ c, i }))
    .sort((a, b) => (b.c.psi ?? -Infinity) - (a.c.psi ?? -Infinity) || a.i - b.i)
    .map(({ c }) => c);
}
