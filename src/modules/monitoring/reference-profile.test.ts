import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binIndex,
  buildCategoryProfile,
  buildNumericProfile,
  buildProfile,
  linearQuantile,
  MAX_CATEGORIES,
  SAMPLE_SIZE,
  type CategoryProfile,
} from './reference-profile.js';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} vs ${expected}`);

const X = [
  3.2, 1.5, 7.7, 1.5, 4.4, 9.1, 2.2, 6.0, 1.5, 5.5, 8.3, 3.2, 0.4, 7.7, 2.9, 4.1, 6.6, 3.2, 10.5, 5.0, 2.2,
  4.4, 1.1,
];

describe('binIndex', () => {
  const cases: Array<[number, number]> = [
    [0, 0],
    [1, 0], // on an edge: the bin that edge closes
    [1.5, 1],
    [2, 1],
    [2.5, 2],
    [Infinity, 2],
  ];
  for (const [x, bin] of cases)
    it(`edges [1, 2], x = ${x} → ${bin}`, () => assert.equal(binIndex([1, 2], x), bin));
  it('no edges: one bin', () => assert.equal(binIndex([], 42), 0));
});

describe('linearQuantile (numpy.quantile, method="linear")', () => {
  const sorted = [...X].sort((a, b) => a - b);
  // np.quantile(x, q) for the 23 values of X
  const cases: Array<[number, number]> = [
    [0, 0.4],
    [0.1, 1.5],
    [0.2, 1.7800000000000002],
    [0.3, 2.6199999999999997],
    [0.7, 5.699999999999999],
    [0.8, 7.260000000000002],
    [1, 10.5],
  ];
  // exact equality: an edge one ulp off would move a value that sits on it into the next bin
  for (const [q, v] of cases) it(`q = ${q}`, () => assert.equal(linearQuantile(sorted, q), v));
  it('worked example', () => assert.equal(linearQuantile([1, 2, 3, 4], 0.5), 2.5));
});

describe('buildNumericProfile', () => {
  // edges = np.unique(np.quantile(x, np.arange(1, bins) / bins))
  // shares = np.bincount(np.searchsorted(edges, x, side='left'), minlength=len(edges) + 1) / len(x)
  const cases: Array<[number, number[], number[]]> = [
    [
      10,
      [
        1.5, 1.7800000000000002, 2.6199999999999997, 3.2, 4.1, 4.52, 5.699999999999999, 7.260000000000002,
        8.180000000000001,
      ],
      [
        0.21739130434782608, 0, 0.08695652173913043, 0.17391304347826086, 0.043478260869565216,
        0.08695652173913043, 0.08695652173913043, 0.08695652173913043, 0.08695652173913043,
        0.13043478260869565,
      ],
    ],
    [4, [2.2, 4.1, 6.3], [0.30434782608695654, 0.21739130434782608, 0.21739130434782608, 0.2608695652173913]],
    [3, [3.0, 5.333333333333333], [0.34782608695652173, 0.30434782608695654, 0.34782608695652173]],
    [1, [], [1]],
  ];
  for (const [bins, edges, shares] of cases) {
    it(`${bins} bins: numpy quantile edges and shares`, () => {
      const p = buildNumericProfile(X, bins);
      assert.deepEqual(p.edges, edges);
      p.shares.forEach((s, i) => close(s, shares[i]!, `share ${i}`));
    });
  }

  it('moments, range and missing values', () => {
    // x.mean(), x.std(ddof=1)
    const p = buildNumericProfile([...X, null, NaN, Infinity]);
    assert.equal(p.count, 23);
    close(p.missing_share, 3 / 26, 'missing share');
    close(p.mean!, 4.443478260869565, 'mean');
    close(p.std!, 2.8096952417973475, 'std');
    assert.equal(p.min, 0.4);
    assert.equal(p.max, 10.5);
    assert.deepEqual(
      p.sample,
      [...X].sort((a, b) => a - b),
    );
  });

  it('a constant feature keeps one edge, so any move away from it shows', () => {
    // np.unique(np.quantile(np.full(5, 2.5), np.arange(1, 10) / 10)) → [2.5]
    const p = buildNumericProfile([2.5, 2.5, 2.5, 2.5, 2.5]);
    assert.deepEqual(p.edges, [2.5]);
    assert.deepEqual(p.shares, [1, 0]);
    assert.equal(p.std, 0);
  });

  it('one value and no values', () => {
    const one = buildNumericProfile([7, null]);
    assert.deepEqual([one.count, one.mean, one.std, one.missing_share], [1, 7, null, 0.5]);
    const none = buildNumericProfile([null, null]);
    assert.deepEqual(
      [none.count, none.mean, none.min, none.missing_share, none.shares],
      [0, null, null, 1, [0]],
    );
    assert.equal(buildNumericProfile([]).missing_share, 0);
    assert.throws(() => buildNumericProfile(X, 0), RangeError);
  });

  it('keeps SAMPLE_SIZE evenly spaced order statistics of a large sample', () => {
    // y = np.sort([(i * 7919) % 2503 for i in range(2500)]); y[np.round(np.arange(1000) * 2499 / 999).astype(int)]
    const values = Array.from({ length: 2500 }, (_, i) => (i * 7919) % 2503);
    const p = buildNumericProfile(values);
    assert.equal(p.sample.length, SAMPLE_SIZE);
    assert.deepEqual(p.sample.slice(0, 5), [0, 3, 5, 8, 10]);
    assert.deepEqual(p.sample.slice(-3), [2497, 2499, 2502]);
    assert.equal(p.sample[500], 1251);
    assert.deepEqual(
      p.edges,
      [249.9, 499.8, 749.6999999999999, 999.6, 1249.5, 1500.3999999999999, 1751.3, 2001.2, 2252.1],
    );
  });
});

describe('buildCategoryProfile', () => {
  it('counts by String(value), missing for null and NaN, ties by value', () => {
    const p = buildCategoryProfile(['b', 'a', 'b', 'c', null, 'a', 'b', true, 1, '1', NaN]);
    assert.equal(p.count, 9);
    close(p.missing_share, 2 / 11, 'missing share');
    assert.deepEqual(p.shares, { b: 3 / 9, a: 2 / 9, '1': 2 / 9, c: 1 / 9, true: 1 / 9 });
    assert.equal(p.other_share, 0);
  });

  it(`keeps the ${MAX_CATEGORIES} most frequent, ties by ascending value, and pools the rest`, () => {
    const keys = Array.from({ length: 25 }, (_, i) => `k${String(24 - i).padStart(2, '0')}`);
    const p = buildCategoryProfile([...keys, 'k24', 'k24']);
    const kept = Object.keys(p.shares);
    assert.equal(kept.length, MAX_CATEGORIES);
    assert.equal(kept[0], 'k24');
    assert.deepEqual(kept.slice(1), keys.slice(6).reverse()); // k00 … k18: k19 … k23 go to other
    close(p.shares.k24!, 3 / 27, 'k24');
    close(p.other_share, 5 / 27, 'other');
  });

  it('stores awkward category names as data', () => {
    const p = buildCategoryProfile(['__proto__', 'constructor', '__proto__']);
    assert.deepEqual(Object.keys(p.shares), ['__proto__', 'constructor']);
    const stored = JSON.parse(JSON.stringify(p)) as CategoryProfile;
    assert.equal(stored.shares['__proto__'], 2 / 3);
  });

  it('no values', () => {
    assert.deepEqual(buildCategoryProfile([null]), {
      kind: 'category',
      count: 0,
      missing_share: 1,
      shares: {},
      other_share: 0,
    });
  });
});

describe('buildProfile', () => {
  const rows = [
    { age: 31, colour: 'red', ignored: 'x' },
    { age: '40', colour: 'blue' },
    { age: 52, colour: null },
    { colour: 'red' },
  ];
  const features = [
    { name: 'age', kind: 'numeric' as const },
    { name: 'colour', kind: 'category' as const },
  ];

  it('profiles each declared feature and numeric predictions, and survives JSON', () => {
    const p = buildProfile(rows, features, [0.1, 0.9, 0.4, 0.6]);
    assert.equal(p.rows, 4);
    assert.deepEqual(Object.keys(p.features), ['age', 'colour']);
    const age = p.features.age!;
    assert.ok(age.kind === 'numeric');
    assert.deepEqual([age.count, age.missing_share, age.mean], [2, 0.5, 41.5]); // '40' is not a number
    const colour = p.features.colour!;
    assert.ok(colour.kind === 'category');
    assert.deepEqual(colour.shares, { red: 2 / 3, blue: 1 / 3 });
    assert.equal(p.prediction.kind, 'numeric');
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  it('label predictions make a categorical prediction profile', () => {
    const p = buildProfile(rows, features, ['yes', 'no', 'yes', 'yes']);
    assert.ok(p.prediction.kind === 'category');
    assert.deepEqual(p.prediction.shares, { yes: 0.75, no: 0.25 });
  });

  it('rejects what it cannot profile', () => {
    assert.throws(() => buildProfile([], features, []), /no rows/);
    assert.throws(() => buildProfile(rows, features, [1, 2]), /4 rows but 2 predictions/);
    assert.throws(() => buildProfile(rows, features, [1, 'a', 2, 3]), /all numbers or all strings/);
    assert.throws(() => buildProfile(rows, [...features, features[0]!], [1, 2, 3, 4]), /unique/);
  });
});
