import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benjaminiHochberg, chiSquareHomogeneity, ksTwoSample, psi } from './drift-statistics.js';

/** |actual − expected| ≤ abs + rel·|expected| */
const close = (actual: number, expected: number, what: string, abs = 1e-12, rel = 0) =>
  assert.ok(
    Math.abs(actual - expected) <= abs + rel * Math.abs(expected),
    `${what}: ${actual} vs ${expected}`,
  );

// Samples drawn once in Python and written out (2 decimals, so ties are possible):
//   rng = np.random.default_rng(7)
//   a = np.round(rng.normal(0, 1, 25), 2); b = np.round(rng.normal(0.5, 1, 30), 2)
//   c = np.round(rng.normal(0, 1, 20), 2); d = np.round(rng.normal(0.8, 1, 20), 2)
//   t1 = rng.integers(0, 5, 40); t2 = rng.integers(1, 6, 33)
const A = [
  0.0, 0.3, -0.27, -0.89, -0.45, -0.99, 0.06, 1.34, -0.49, -0.62, 0.49, 0.36, 0.11, -0.93, -0.03, 0.7, -1.34,
  -0.46, -1.9, -1.29, -1.84, -0.24, -1.27, 0.27, 0.16,
];
const B = [
  0.31, -2.02, -0.04, 0.45, 0.61, -1.03, 0.02, -0.48, -0.31, 1.56, -0.31, 0.47, 1.38, -0.08, 0.39, 0.61, 0.56,
  -0.73, 0.58, 1.86, -1.05, 1.36, 0.62, -0.14, 2.5, 1.26, -0.7, 0.57, 1.08, 0.31,
];
const C = [
  0.68, -0.07, 0.67, 1.44, -0.68, 0.2, -0.46, 0.13, -1.19, -0.58, -0.2, 0.9, 1.15, -1.32, -0.79, 0.65, -1.99,
  -0.46, -0.1, 1.26,
];
const D = [
  1.49, 0.47, 0.43, 0.55, 2.32, 0.37, 0.5, 1.15, 0.68, 0.6, -0.31, 0.79, 0.36, 1.97, 1.45, 0.78, 1.47, 0.46,
  1.85, 0.79,
];
const T1 = [
  0, 0, 3, 1, 4, 0, 4, 0, 2, 4, 0, 3, 3, 2, 0, 2, 2, 4, 3, 1, 0, 2, 1, 3, 4, 1, 4, 2, 2, 3, 3, 4, 4, 0, 2, 4,
  1, 0, 2, 3,
];
const T2 = [
  4, 5, 4, 1, 5, 3, 5, 5, 5, 1, 5, 4, 3, 4, 5, 3, 1, 4, 2, 2, 1, 1, 5, 2, 1, 1, 2, 2, 2, 5, 5, 3, 5,
];

// Values with an exact binary form, so Python and JS build the same doubles (asymptotic regime):
//   grid = np.array([(i * 7919) % 10007 for i in range(10007)]) / 10007
//   grid2 = np.array([(i * 7919) % 10001 for i in range(10001)]) / 10001
const grid = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n);
const stretched = (n: number, factor: number, offset = 0.5) =>
  Array.from({ length: n }, (_, i) => ((i + offset) / n) * factor);

describe('ksTwoSample', () => {
  // r = scipy.stats.ks_2samp(x, y)  (SciPy 1.10.1, method='auto'); print(r.statistic, r.pvalue)
  const cases: Array<[string, number[], number[], number, number, 'exact' | 'asymptotic']> = [
    ['exact, unequal sizes (a, b)', A, B, 0.44, 0.006798409744627261, 'exact'],
    ['exact, equal sizes (c, d)', C, D, 0.6, 0.001115801546231492, 'exact'],
    ['exact, heavy ties (t1, t2)', T1, T2, 0.3333333333333333, 0.025916828751120117, 'exact'],
    ['identical samples (a, a)', A, A, 0, 1, 'exact'],
    [
      'fully separated (1..8, 11..17)',
      [1, 2, 3, 4, 5, 6, 7, 8],
      [11, 12, 13, 14, 15, 16, 17],
      1,
      0.00031080031080031075,
      'exact',
    ],
    ['one observation ([0.5], [0.1, 0.7, 0.9])', [0.5], [0.1, 0.7, 0.9], 0.6666666666666666, 1, 'exact'],
    ['worked example ([1, 2, 3], [4, 5])', [1, 2, 3], [4, 5], 1, 0.2, 'exact'],
    // the exact sum rounds a hair above 1 here, so SciPy (and we) fall back to the asymptotic value
    ['exact value above 1 falls back', [1, 2, 3, 4, 5], [1.5, 2, 3, 4, 5], 0.2, 1, 'asymptotic'],
    // ks_2samp(grid, (np.arange(400) + 0.5) / 400 * 1.1): n = 10 007 > 10 000
    [
      'asymptotic, 10007 vs 400',
      grid(10007),
      stretched(400, 1.1),
      0.09220020985310284,
      0.0026777762903449865,
      'asymptotic',
    ],
    [
      'asymptotic, 10007 vs 300',
      grid(10007),
      stretched(300, 1.05),
      0.04930048965723999,
      0.46441465557250194,
      'asymptotic',
    ],
    [
      'asymptotic, 10007 vs 12000',
      grid(10007),
      stretched(12000, 1.02),
      0.019733753039538948,
      0.028146045457102753,
      'asymptotic',
    ],
    // n₁ = n₂ = 10 001: n₁n₂/(n₁+n₂) = 5000.5 rounds half to even (5000; 5001 would give 0.6954561)
    [
      'asymptotic, round half to even',
      grid(10001),
      stretched(10001, 1.01),
      0.009999000099990107,
      0.6955741661579155,
      'asymptotic',
    ],
  ];
  for (const [name, a, b, statistic, pValue, method] of cases) {
    it(name, () => {
      const r = ksTwoSample(a, b);
      close(r.statistic, statistic, 'statistic');
      close(r.pValue, pValue, 'p-value', 1e-10, 1e-9);
      assert.equal(r.method, method);
    });
  }

  it('is symmetric in its samples and ignores input order', () => {
    const r = ksTwoSample(B, A);
    close(r.statistic, 0.44, 'statistic');
    close(r.pValue, 0.006798409744627261, 'p-value', 1e-10);
    assert.deepEqual(ksTwoSample([...A].reverse(), B), ksTwoSample(A, B));
  });

  it('rejects empty samples and NaN', () => {
    assert.throws(() => ksTwoSample([], [1]), RangeError);
    assert.throws(() => ksTwoSample([1], []), /second sample is empty/);
    assert.throws(() => ksTwoSample([1, NaN], [1, 2]), /contains NaN/);
  });
});

describe('psi', () => {
  // python: e, a = shares; if any zero: (x + 1e-4)/(1 + k·1e-4); c = (a − e)·np.log(a/e); c.sum()
  const cases: Array<[string, number[], number[], number, number[]]> = [
    [
      'worked example',
      [0.5, 0.5],
      [60, 40],
      0.04054651081081642,
      [0.018232155679395456, 0.022314355131420965],
    ],
    ['same distribution', [0.1, 0.2, 0.3, 0.4], [10, 20, 30, 40], 0, [0, 0, 0, 0]],
    [
      'reversed distribution',
      [0.1, 0.2, 0.3, 0.4],
      [40, 30, 20, 10],
      0.9128696382935673,
      [0.41588830833596724, 0.040546510810816415, 0.04054651081081642, 0.41588830833596724],
    ],
    [
      'a zero bin on each side is smoothed',
      [0.25, 0.25, 0.5, 0],
      [10, 0, 30, 10],
      3.504371203926336,
      [0.011147720726403718, 1.955329350979013, 0.018221534343323582, 1.5196725978775956],
    ],
    ['an empty live bin', [0.3, 0.7], [0, 50], 2.5084981815955865, [2.4015299476425813, 0.10696823395300498]],
  ];
  for (const [name, expected, counts, value, contributions] of cases) {
    it(name, () => {
      const r = psi(expected, counts);
      close(r.psi, value, 'psi');
      r.bins.forEach((b, i) => close(b.contribution, contributions[i]!, `bin ${i}`));
    });
  }

  it('reports the smoothed shares', () => {
    const r = psi([0.5, 0.5, 0], [1, 1, 0], 0.01);
    close(r.bins[2]!.expected, 0.01 / 1.03, 'expected');
    close(r.bins[0]!.actual, 0.51 / 1.03, 'actual');
    close(r.psi, 0, 'psi');
  });

  it('rejects inputs it cannot compare', () => {
    assert.throws(() => psi([], []), RangeError);
    assert.throws(() => psi([0.5, 0.5], [1]), /same non-zero number of bins/);
    assert.throws(() => psi([0.5, 0.5], [0, 0]), /actual counts sum to zero/);
    assert.throws(() => psi([0.5, NaN], [1, 1]), /finite and non-negative/);
    assert.throws(() => psi([0.5, 0.5], [1, -1]), /finite and non-negative/);
    assert.throws(() => psi([0.5, 0.5], [1, 1], 0), /epsilon/);
  });
});

describe('chiSquareHomogeneity', () => {
  // t = np.array([ref, live], float); t = t[:, t.sum(0) > 0]
  // s, p, dof, _ = scipy.stats.chi2_contingency(t, correction=False)
  const cases: Array<[string, number[], number[], number, number, number]> = [
    ['worked example', [10, 10], [20, 0], 13.333333333333334, 1, 0.0002607296328553165],
    [
      'a category missing on each side',
      [30, 20, 0, 5],
      [25, 0, 12, 8],
      32.4715688352052,
      3,
      4.16279837900318e-7,
    ],
    ['a category empty in both is dropped', [5, 0, 7], [3, 0, 9], 0.75, 1, 0.3864762307712325],
    [
      'fractional reference counts',
      [120.5, 60.25, 19.25],
      [50, 30, 20],
      6.717623563934891,
      2,
      0.03477655653619471,
    ],
    [
      'similar samples',
      [100, 200, 300, 400],
      [110, 190, 310, 390],
      1.0231174373112535,
      3,
      0.7956584601115555,
    ],
    [
      'very different samples',
      [1000, 1000, 1000],
      [1300, 900, 800],
      66.61581489956777,
      2,
      3.4242036890235287e-15,
    ],
    ['one category: nothing to test', [7], [3], 0, 0, 1],
  ];
  for (const [name, ref, live, statistic, df, pValue] of cases) {
    it(name, () => {
      const r = chiSquareHomogeneity(ref, live);
      close(r.statistic, statistic, 'statistic', 1e-10);
      assert.equal(r.df, df);
      // a tiny p is compared relatively: an absolute 1e-12 would accept 0 for 3e-15
      close(r.pValue, pValue, 'p-value', pValue !== 0 && pValue < 1e-6 ? 0 : 1e-12, 1e-9);
    });
  }

  it('rejects inputs it cannot test', () => {
    assert.throws(() => chiSquareHomogeneity([], []), RangeError);
    assert.throws(() => chiSquareHomogeneity([1, 2], [1]), /same non-zero number/);
    assert.throws(() => chiSquareHomogeneity([1, 2], [0, 0]), /at least one observation/);
    assert.throws(() => chiSquareHomogeneity([1, NaN], [1, 1]), /finite and non-negative/);
  });
});

describe('benjaminiHochberg', () => {
  // scipy.stats.false_discovery_control(ps, method='bh') is SciPy ≥ 1.11 and Debian ships 1.10, so
  // the values come from its algorithm written in numpy:
  //   order = np.argsort(ps, kind='stable'); s = ps[order] * m / np.arange(1, m + 1)
  //   s = np.minimum.accumulate(s[::-1])[::-1]; out = np.empty(m); out[order] = s; np.clip(out, 0, 1)
  const cases: Array<[string, number[], number[]]> = [
    ['worked example, unsorted', [0.01, 0.04, 0.03], [0.03, 0.04, 0.04]],
    [
      // Benjamini & Hochberg (1995), §4: at q = 0.05 the first four hypotheses are rejected
      'the 1995 paper example',
      [
        0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528,
        0.759, 1,
      ],
      [
        0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.0765,
        0.48600000000000004, 0.5811818181818182, 0.714875, 0.7532307692307694, 0.8132142857142857, 1,
      ],
    ],
    [
      'ties, unsorted',
      [0.5, 0.01, 0.02, 0.02, 0.9, 0.02, 0.04],
      [0.5833333333333334, 0.035, 0.035, 0.035, 0.9, 0.035, 0.05600000000000001],
    ],
    ['one p-value', [0.3], [0.3]],
    ['monotone from the top', [0.8, 0.9, 0.95], [0.95, 0.95, 0.95]],
    ['empty', [], []],
  ];
  for (const [name, ps, expected] of cases) {
    it(name, () => {
      const adjusted = benjaminiHochberg(ps);
      assert.equal(adjusted.length, expected.length);
      adjusted.forEach((p, i) => close(p, expected[i]!, `p[${i}]`, 1e-15));
    });
  }

  it('keeps NaN in place and leaves it out of m', () => {
    // m = 3, as for [0.01, 0.04, 0.03]; with m = 4 the first would be 0.04
    const [first, missing, third, fourth] = benjaminiHochberg([0.01, NaN, 0.04, 0.03]);
    assert.ok(Number.isNaN(missing));
    close(first!, 0.03, 'p[0]', 1e-15);
    close(third!, 0.04, 'p[2]', 1e-15);
    close(fourth!, 0.04, 'p[3]', 1e-15);
    assert.deepEqual(benjaminiHochberg([NaN]), [NaN]);
  });

  it('rejects values that are not probabilities', () => {
    assert.throws(() => benjaminiHochberg([0.1, 1.5]), RangeError);
    assert.throws(() => benjaminiHochberg([-0.1]), RangeError);
  });
});
