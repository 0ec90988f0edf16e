import { logGamma } from './chi-square-sf.js';

/**
 * Survival function of the two-sided one-sample Kolmogorov-Smirnov statistic Dₙ, P(Dₙ ≥ d)
 * (scipy.stats.kstwo.sf(d, n)). ks_2samp's asymptotic mode evaluates it at n = round(n₁n₂/(n₁+n₂)).
 *
 * The method for each (n, d) region is Simard & L'Ecuyer (2011), "Computing the Two-Sided
 * Kolmogorov-Smirnov Distribution", J. Stat. Software 39(11), as SciPy 1.10 chooses it
 * (scipy/stats/_ksstats.py), with t = n·d:
 * - t ≤ 1 and t ≥ n − 1: Ruben-Gambino closed forms;
 * - d ≥ ½, and the upper tail (n ≤ 140 with nd² > 4, n > 140 with nd² ≥ 2.2): 2·Smirnov(n, d),
 *   exact there because D⁺ ≥ d and D⁻ ≥ d cannot both happen;
 * - n > 140 and nd² ≥ 370: 0 (below double precision);
 * - otherwise 1 − P(Dₙ < d) by the Durbin matrix (Marsaglia, Tsang & Wang 2003), except for
 *   n > 100 000 or n·d^1.5 > 1.4, where the Pelz-Good asymptotic series is used.
 * One deliberate difference: for n ≤ 140 and 0.754693 < nd² ≤ 4 SciPy uses Pomeranz's recursion;
 * we use the Durbin matrix there too. Both are exact, and the matrix is at most 47×47 there.
 *
 * Example: n = 1, d = 0.75 → 2·(1 − 0.75)¹ = 0.5 (t ≥ n − 1).
 */
export function kolmogorovSf(n: number, d: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`kolmogorovSf needs an integer n ≥ 1, got ${n}`);
  if (Number.isNaN(d)) throw new RangeError('kolmogorovSf: d is NaN');
  if (d >= 1) return 0;
  const t = n * d;
  if (t <= 0.5) return 1;
  if (t <= 1) return clip(1 - rubenGambinoLower(n, t));
  if (t >= n - 1) return clip(2 * (1 - d) ** n);
  if (d >= 0.5) return clip(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) return clip(nd2 <= 4 ? 1 - durbinCdf(n, d) : 2 * smirnovSf(n, d));
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clip(2 * smirnovSf(n, d));
  const cdf = n <= 100_000 && n * d ** 1.5 <= 1.4 ? durbinCdf(n, d) : pelzGoodCdf(n, d);
  return clip(1 - cdf);
}

const clip = (p: number) => Math.min(1, Math.max(0, p));

/** P(Dₙ ≤ t/n) = n!/nⁿ·(2t − 1)ⁿ for ½ < t ≤ 1 */
function rubenGambinoLower(n: number, t: number): number {
  if (n <= 140) {
    let p = 1;
    for (let i = 1; i <= n; i++) p *= (i / n) * (2 * t - 1);
    return p;
  }
  return Math.exp(logGamma(n + 1) - n * Math.log(n) + n * Math.log(2 * t - 1));
}

/**
 * One-sided P(D⁺ₙ ≥ e), Birnbaum & Tingey (1951):
 * e · Σ_{v=0}^{⌊n(1−e)⌋} C(n, v)·(e + v/n)^(v−1)·(1 − e − v/n)^(n−v), summed in log space.
 */
export function smirnovSf(n: number, e: number): number {
  if (e <= 0) return 1;
  if (e >= 1) return 0;
  const last = Math.floor(n * (1 - e));
  const logs: number[] = [];
  let logBinomial = 0;
  for (let v = 0; v <= last; v++) {
    const ev = e + v / n;
    if (v > 0) logBinomial += Math.log((n - v + 1) / v);
    // a term with 1 − e − v/n ≤ 0 is zero (v < n always, since e > 0)
    if (ev < 1) logs.push(logBinomial + (v - 1) * Math.log(ev) + (n - v) * Math.log1p(-ev));
  }
  const top = logs.reduce((a, b) => Math.max(a, b), -Infinity);
  let sum = 0;
  for (const l of logs) sum += Math.exp(l - top);
  return e * sum * Math.exp(top);
}

const SCALE_EXPONENT = 128;
const SCALE = 2 ** SCALE_EXPONENT;

/**
 * P(Dₙ < d) by Durbin's matrix (Marsaglia, Tsang & Wang 2003): write nd = k − h with k an integer
 * and 0 ≤ h < 1; the answer is n!/nⁿ times entry (k, k) of Hⁿ for an m×m matrix H, m = 2k − 1.
 * Intermediate powers are rescaled by 2¹²⁸ with the exponent kept apart, so nothing overflows.
 */
function durbinCdf(n: number, d: number): number {
  const k = Math.ceil(n * d);
  const h = k - n * d;
  const m = 2 * k - 1;
  let power = identity(m);
  let base = durbinMatrix(m, h);
  let exponent = 0;
  let baseExponent = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) {
      power = multiply(power, base, m);
      exponent += baseExponent;
    }
    base = multiply(base, base, m);
    baseExponent *= 2;
    if (Math.abs(base[(k - 1) * m + k - 1]!) > SCALE) {
      for (let i = 0; i < base.length; i++) base[i]! /= SCALE;
      baseExponent += SCALE_EXPONENT;
    }
  }
  let p = power[(k - 1) * m + k - 1]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      exponent -= SCALE_EXPONENT;
    }
  }
  return clip(ldexp(p, exponent));
}

/** H[i][j] = 1/(i−j+1)! on and below the superdiagonal, first column and last row corrected for h */
function durbinMatrix(m: number, h: number): Float64Array {
  const inverseFactorial = [1];
  for (let j = 1; j <= m; j++) inverseFactorial.push(inverseFactorial[j - 1]! / j);
  const v = Array.from({ length: m }, (_, j) => (1 - h ** (j + 1)) * inverseFactorial[j + 1]!);
  v[m - 1] = (1 + Math.max(2 * h - 1, 0) ** m - 2 * h ** m) * inverseFactorial[m]!;
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 1; j <= Math.min(i + 1, m - 1); j++) a[i * m + j] = inverseFactorial[i - j + 1]!;
    a[i * m] = v[i]!;
  }
  for (let j = 0; j < m; j++) a[(m - 1) * m + j] = v[m - 1 - j]!;
  return a;
}

function identity(m: number): Float64Array {
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) a[i * m + i] = 1;
  return a;
}

function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < m; l++) {
      const ail = a[i * m + l]!;
      if (ail === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j]! += ail * b[l * m + j]!;
    }
  }
  return out;
}

/** p·2^e in steps, so that neither 2^e nor an intermediate product leaves the double range early */
function ldexp(p: number, e: number): number {
  let out = p;
  for (let left = e; left !== 0;) {
    const step = Math.max(-1000, Math.min(1000, left));
    out *= 2 ** step;
    left -= step;
  }
  return out;
}

const PI2 = Math.PI ** 2;
const PI4 = PI2 ** 2;
const PI6 = PI2 ** 3;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * Pelz & Good (1976): P(Dₙ ≤ x) ≈ K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^1.5, z = x√n, each Kᵢ a
 * sum over odd m = 2k−1 of polynomials in m² times q^(m²), q = exp(−π²/(8z²)), plus two extra
 * sums over all k for K₂ and K₃ (the Li-Chien/Korolyuk expansion transformed for small z).
 */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qLog = -PI2 / 8 / z2;
  if (qLog < -708) return 0;
  const q = Math.exp(qLog);
  const maxK = Math.ceil((16 * z) / Math.PI);
  const k = [0, 0, 0, 0];
  for (let i = maxK; i >= 1; i--) {
    const m2 = (2 * i - 1) ** 2;
    const qp = q ** (8 * i);
    k[0] = k[0]! * qp + 1;
    k[1] = k[1]! * qp + (-z2 + (PI2 / 4) * m2);
    k[2] =
      k[2]! * qp +
      (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * PI2 * m2) / 4 + (PI4 * (1 - 2 * z2) * m2 * m2) / 16);
    k[3] =
      k[3]! * qp +
      (-30 * z6 -
        90 * z4 * z4 +
        (PI2 * (135 * z4 - 96 * z6) * m2) / 4 +
        (PI4 * (-60 * z2 + 212 * z4) * m2 * m2) / 16 +
        (PI6 * (5 - 30 * z2) * m2 * m2 * m2) / 64);
  }
  const divisors = [z, 6 * z4, 72 * z4 * z2 * z, 6480 * z4 * z6];
  const terms = k.map((v, i) => (v * q * SQRT_2PI) / divisors[i]!);
  const q2 = Math.exp(-PI2 / 2 / z2);
  let extra2 = 0;
  let extra3 = 0;
  for (let i = maxK; i >= 1; i--) {
    const w = i * i * q2 ** (i * i);
    extra2 += w;
    extra3 += (3 * z2 - PI2 * i * i) * w;
  }
  terms[2]! += (extra2 * PI2 * SQRT_2PI) / (-36 * z2 * z);
  terms[3]! += (extra3 * PI2 * SQRT_2PI) / (216 * z6);
  return terms.reduce((sum, v, i) => sum + v / n ** (i / 2), 0);
}
