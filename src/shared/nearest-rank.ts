/** Nearest-rank quantile `q` (0 < q ≤ 1) of values sorted ascending; the array must not be empty. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
