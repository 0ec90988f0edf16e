/**
 * The shortest decimal that reads back as the same float32, so a probability of float32 0.98 is
 * answered as 0.98 rather than 0.9800000190734863. Exact: Math.fround(result) === Math.fround(x).
 * Example: shortestFloat32(Math.fround(0.1)) === 0.1; shortestFloat32(Math.fround(1/3)) === 0.33333334.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const target = Math.fround(x);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return Number(target.toPrecision(9));
}
