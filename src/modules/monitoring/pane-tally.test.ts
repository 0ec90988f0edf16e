import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mulberry32 } from '../../shared/seeded-random.js';
import { column, emptyTally, recordColumn, RESERVOIR, type NumericTally } from './pane-tally.js';
import { binIndex, type NumericProfile } from './reference-profile.js';

it('bins a value as bisection does, for short and long edge lists, ties and repeated edges', () => {
  const random = mulberry32(9);
  const edgeLists = [
    [],
    [5],
    [1, 1, 2, 3, 3, 3, 7],
    Array.from({ length: 16 }, (_, i) => i * 2),
    Array.from({ length: 40 }, (_, i) => Math.floor(i / 3)),
  ];
  for (const edges of edgeLists) {
    const profile = { kind: 'numeric', edges } as unknown as NumericProfile;
    const col = column('x', profile);
    const tally = emptyTally(col) as NumericTally;
    const expected = new Array<number>(edges.length + 1).fill(0);
    // values on the edges themselves, and between and beyond them
    const values = [...edges, ...Array.from({ length: 500 }, () => random() * 50 - 5)];
    const draws = Float64Array.from(values, () => random());
    recordColumn(tally, col, Float64Array.from(values), 0, 1, values.length, draws);
    for (const v of values) expected[binIndex(edges, v)]!++;
    assert.deepEqual(tally.bins, expected, `edges ${edges.join(',')}`);
  }
});

it('records a strided column: moments merged with the earlier ones, non-finite values missing', () => {
  const col = column('x', { kind: 'numeric', edges: [0] } as unknown as NumericProfile);
  const tally = emptyTally(col) as NumericTally;
  const random = mulberry32(4);
  // two blocks of a 2-wide matrix, the column at offset 1; values around 1e9 (cancellation)
  const first = [1e9 + 1, NaN, 1e9 + 3, Infinity, -0.5];
  const second = [1e9 + 5, -Infinity, 7];
  for (const block of [first, second]) {
    const matrix = new Float64Array(block.length * 2).fill(-1);
    block.forEach((v, k) => (matrix[2 * k + 1] = v));
    recordColumn(
      tally,
      col,
      matrix,
      1,
      2,
      block.length,
      Float64Array.from(block, () => random()),
    );
  }
  const values = [1e9 + 1, 1e9 + 3, -0.5, 1e9 + 5, 7];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const m2 = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  assert.deepEqual([tally.count, tally.missing, tally.min, tally.max], [5, 3, -0.5, 1e9 + 5]);
  assert.ok(Math.abs(tally.mean - mean) <= 1e-15 * mean, `mean ${tally.mean} vs ${mean}`);
  assert.ok(Math.abs(tally.m2 - m2) <= 1e-12 * m2, `m2 ${tally.m2} vs ${m2}`);
  assert.deepEqual(tally.bins, [1, 4]);
  assert.deepEqual(tally.reservoir, values);
  assert.ok(values.length < RESERVOIR);
});
