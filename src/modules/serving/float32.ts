/** The smallest positive normal float32 (2^-126); below it float32 has fewer digits of precision. */
const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * The shortest decimal that reads back as the same float32, so a probability of float32 0.98 is
 * answered as 0.98 rather than 0.9800000190734863. Exact: Math.fround(result) === Math.fround(x).
 * Example: shortestFloat32(Math.fround(0.1)) === 0.1; shortestFloat32(Math.fround(1/3)) === 0.33333334.
 *
 * The answer is the first of x.toPrecision(1…9) that reads back as x. For a normal float32 the
 * search starts at 6 digits: every decimal of at most 6 significant digits survives a trip
 * through float32 (FLT_DIG = 6), so when a shorter one reads back as x, toPrecision(6) is that
 * same decimal padded with zeros, and Number() reads both as the same double. Same answers, in
 * 1 to 4 conversions instead of up to 9 (hot: every probability of every answered row).
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const target = Math.fround(x);
  const first = Math.abs(target) >= FLOAT32_MIN_NORMAL ? 6 : 1;
  for (let digits = first; digits < 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return Number(target.toPrecision(9));
}
