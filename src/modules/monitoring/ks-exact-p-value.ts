/**
 * Exact two-sided p-value of the two-sample Kolmogorov-Smirnov statistic, P(D ≥ h/lcm(n₁, n₂))
 * under H₀, for the statistic written as an integer h in units of 1/lcm (so no rounding enters
 * the comparison). The same algorithms as SciPy 1.10's ks_2samp(method='exact'):
 * - n₁ = n₂ = n: the closed form (Gnedenko & Korolyuk)
 *   P = 2·Σ_{k≥1} (−1)^(k+1)·C(2n, n − kh)/C(2n, n), evaluated in Horner form without cancellation;
 * - otherwise Hodges' (1958) lattice-path "inside" method: walk the (n₁+1)×(n₂+1) grid from (0, 0)
 *   to (n₁, n₂), where a path is a merged order of the two samples, and count the paths that stay
 *   strictly inside |x/n₁ − y/n₂| < h/lcm. Viehmann (2021, arXiv:2102.08037) recurs on the
 *   share of paths that have already left, q(x, y) = (x·q(x−1, y) + y·q(x, y−1))/(x + y) with
 *   q = 1 outside the band, which stays in [0, 1] instead of growing like a binomial coefficient.
 *
 * Example: n₁ = n₂ = 2, h = 2 (D = 1): 2·C(4, 0)/C(4, 2) = 2/6 = 0.3333…; for n₁ = 3, n₂ = 2,
 * h = 6 (D = 1) only the 2 fully separated orders of the C(5, 2) = 10 leave: 0.2.
 */
export function ksExactPValue(n1: number, n2: number, h: number): number {
  if (h <= 0) return 1;
  if (n1 === n2) return outsideSquare(n1, h);
  return outsideBand(Math.max(n1, n2), Math.min(n1, n2), h);
}

/** 2·A₁(1 − A₂(1 − A₃(…))) with A_k = C(2n, n − kh)/C(2n, n − (k−1)h), each a product of h ratios */
function outsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/** Share of lattice paths to (m, n), m ≥ n, that touch |x·n/g − y·m/g| ≥ h (g = gcd). */
function outsideBand(m: number, n: number, h: number): number {
  const g = gcd(m, n);
  const mg = m / g;
  const ng = n / g;
  // q[y] holds q(x, y) for the current column x; points outside the band hold 1
  const q = new Float64Array(n + 1).fill(1);
  let low = 0;
  let high = Math.min(Math.ceil(h / mg), n + 1); // inside rows are [low, high)
  q.fill(0, low, high);
  for (let x = 1; x <= m; x++) {
    const lastLow = low;
    low = Math.min(Math.max(Math.floor((ng * x - h) / mg) + 1, 0), n);
    high = Math.min(Math.ceil((ng * x + h) / mg), n + 1);
    if (high <= low) return 1;
    // the band only moves up: rows it leaves become outside points
    q.fill(1, lastLow, low);
    let below = low === 0 ? 0 : 1; // q(x, low − 1), outside unless there is no such row
    for (let y = low; y < high; y++) {
      below = (q[y]! * x + below * y) / (x + y);
      q[y] = below;
    }
  }
  return q[n]!;
}

export function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
