import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mulberry32 } from '../../shared/seeded-random.js';
import { column, emptyTally, record, type NumericTally } from './pane-tally.js';
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
    for (const v of values) {
      record(tally, col, v, random());
      expected[binIndex(edges, v)]!++;
    }
    assert.deepEqual(tally.bins, expected, `edges ${edges.join(',')}`);
  }
});
