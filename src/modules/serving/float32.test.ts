import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../shared/seeded-random.js';
import { shortestFloat32 } from './float32.js';

/** The search from 1 digit that shortestFloat32 shortens (the reference). */
function searchFromOneDigit(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const target = Math.fround(x);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(target.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return Number(target.toPrecision(9));
}

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
  it('answers what the search from one digit answers, for random float32 bit patterns and short decimals', () => {
    const random = mulberry32(32);
    const bits = new Uint32Array(1);
    const float = new Float32Array(bits.buffer);
    for (let i = 0; i < 40_000; i++) {
      bits[0] = Math.floor(random() * 2 ** 32);
      const x = float[0]!;
      assert.ok(Object.is(shortestFloat32(x), searchFromOneDigit(x)), `${x}`);
      // decimals of 1 to 7 digits across magnitudes (probabilities, prices, tiny values)
      const digits = 1 + (i % 7);
      const y = Math.fround(Number((random() * 10 ** ((i % 24) - 12)).toPrecision(digits)));
      assert.ok(Object.is(shortestFloat32(y), searchFromOneDigit(y)), `${y}`);
    }
  });
});
