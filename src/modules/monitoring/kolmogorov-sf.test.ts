import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcd, ksExactPValue } from './ks-exact-p-value.js';
import { kolmogorovSf, smirnovSf } from './kolmogorov-sf.js';

const close = (actual: number, expected: number, what: string, abs = 1e-12, rel = 1e-9) =>
  assert.ok(
    Math.abs(actual - expected) <= abs + rel * Math.abs(expected),
    `${what}: ${actual} vs ${expected}`,
  );

describe('kolmogorovSf (scipy.stats.kstwo.sf)', () => {
  // for n, d in cases: print(n, d, scipy.stats.kstwo.sf(d, n))   (SciPy 1.10.1)
  const cases: Array<[string, number, number, number]> = [
    ['t = nd ≤ ½', 3, 0.1, 1],
    ['Ruben-Gambino, t ≤ 1', 10, 0.08, 0.9999978058034054],
    ['Ruben-Gambino, t ≥ n − 1', 10, 0.95, 1.9531250000000172e-13],
    ['worked example, n = 1', 1, 0.75, 0.5],
    ['d ≥ ½: 2·Smirnov', 20, 0.6, 2.0483011649719853e-7],
    ['n ≤ 140, nd² ≤ 0.754693: Durbin', 100, 0.05, 0.9532159710635725],
    ['n ≤ 140, nd² ≤ 4: Durbin (SciPy: Pomeranz)', 100, 0.15, 0.019839242125643017],
    ['n ≤ 140, upper tail: 2·Smirnov', 100, 0.25, 5.408871776434847e-6],
    ['n > 140, nd² ≥ 370: 0', 10000, 0.2, 0],
    ['n > 140, nd² ≥ 2.2: 2·Smirnov', 1000, 0.05, 0.013012074781090332],
    ['n > 140, n·d^1.5 ≤ 1.4: Durbin', 200, 0.03, 0.991436524714942],
    ['n > 140, near 1: Durbin', 200, 0.012, 0.9999999999999997],
    ['n > 140, n·d^1.5 > 1.4: Pelz-Good', 200, 0.05, 0.6802625495871704],
    ['n > 140, larger n: Pelz-Good', 5000, 0.01, 0.6954557253913853],
    ['n > 100 000: Pelz-Good', 150000, 0.003, 0.1341018124495077],
    ['d ≥ 1', 5, 1, 0],
  ];
  for (const [name, n, d, sf] of cases) {
    // tiny tail values are compared relatively: an absolute 1e-12 would accept 0 for 2e-13
    it(`${name} (n = ${n}, d = ${d})`, () =>
      close(kolmogorovSf(n, d), sf, 'sf', sf !== 0 && sf < 1e-6 ? 0 : 1e-12));
  }

  it('rejects a non-integer n and NaN', () => {
    assert.throws(() => kolmogorovSf(2.5, 0.1), RangeError);
    assert.throws(() => kolmogorovSf(0, 0.1), RangeError);
    assert.throws(() => kolmogorovSf(10, NaN), RangeError);
  });

  it('Smirnov one-sided tail by hand: n = 1 gives P(D⁺ ≥ e) = 1 − e', () => {
    close(smirnovSf(1, 0.3), 0.7, 'n = 1');
    // n = 2, e = 0.6: e·[C(2,0)·e⁻¹·(1 − e)²] = 0.16 (v = 1 would need 1 − e − ½ > 0)
    close(smirnovSf(2, 0.6), 0.16, 'n = 2');
  });
});

describe('ksExactPValue (two-sample path counting)', () => {
  // scipy.stats._stats_py._compute_prob_outside_square(n, h) and
  // scipy.stats._stats_pythran._compute_outer_prob_inside_method(m, n, gcd, h), SciPy 1.10.1
  const cases: Array<[string, number, number, number, number]> = [
    ['worked example n₁ = n₂ = 2, D = 1', 2, 2, 2, 1 / 3],
    ['worked example 3 vs 2, D = 1', 3, 2, 6, 0.2],
    ['h = 0 is certain', 7, 4, 0, 1],
    ['h = 1 (the smallest step) is certain too', 7, 4, 1, 1],
    ['equal sizes: _compute_prob_outside_square(25, 10)', 25, 25, 10, 0.03561137027640743],
    ['gcd 10: inside method (30, 20, 10, 20)', 30, 20, 20, 0.11901288467516954],
    ['larger: inside method (1000, 600, 200, 150)', 1000, 600, 150, 0.29672545946495954],
  ];
  for (const [name, n1, n2, h, p] of cases) it(name, () => close(ksExactPValue(n1, n2, h), p, 'p'));

  it('takes the greatest common divisor', () => {
    assert.equal(gcd(12, 18), 6);
    assert.equal(gcd(7, 5), 1);
  });
});
