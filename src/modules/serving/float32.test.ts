import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortestFloat32 } from './float32.js';

describe('shortestFloat32', () => {
  const cases: Array<[number, number]> = [
    [Math.fround(0.98), 0.98],
    [Math.fround(0.1), 0.1],
    [Math.fround(1 / 3), 0.33333334],
    [Math.fround(0.02), 0.02],
    [0, 0],
    [1, 1],
    [Math.fround(-2.5), -2.5],
    [Math.fround(151.2), 151.2],
    [Math.fround(1e-7), 1e-7],
    [Math.fround(3.4028234663852886e38), 3.4028235e38],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      const out = shortestFloat32(input);
      assert.equal(out, expected);
      assert.equal(Math.fround(out), Math.fround(input), 'reads back as the same float32');
    });
  }
  it('passes NaN and infinities through', () => {
    assert.ok(Number.isNaN(shortestFloat32(NaN)));
    assert.equal(shortestFloat32(Infinity), Infinity);
  });
  it('round-trips every float32 of a sweep', () => {
    for (let i = 0; i < 5000; i++) {
      const x = Math.fround(Math.sin(i) * 10 ** ((i % 13) - 6));
      assert.equal(Math.fround(shortestFloat32(x)), x);
    }
  });
});
