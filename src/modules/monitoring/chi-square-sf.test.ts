import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareSf, logGamma, regularizedGammaQ } from './chi-square-sf.js';

const close = (actual: number, expected: number, what: string, rel = 1e-10) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);

describe('chi-square survival function', () => {
  // for x, df in cases: print(x, df, scipy.stats.chi2.sf(x, df))   (SciPy 1.10.1)
  const cases: Array<[number, number, number]> = [
    [3.841458820694124, 1, 0.04999999999999989],
    [0.5, 1, 0.47950012218695337],
    [0.001, 2, 0.9995001249791693],
    [10, 3, 0.01856613546304325],
    [25, 4, 5.0309817823062075e-5],
    [200, 3, 4.218541107192018e-43],
    [7.5, 10, 0.6775476361045434],
    [60, 20, 7.121750862815593e-6],
    [0.2, 19, 0.9999999999999998],
    [1000, 30, 5.131435321572562e-191],
  ];
  for (const [x, df, sf] of cases) it(`χ²(${df}) at ${x}`, () => close(chiSquareSf(x, df), sf, 'sf'));

  it('is 1 at and below zero, and rejects bad arguments', () => {
    assert.equal(chiSquareSf(0, 3), 1);
    assert.equal(chiSquareSf(-1, 3), 1);
    assert.throws(() => chiSquareSf(1, 0), RangeError);
    assert.throws(() => chiSquareSf(NaN, 1), RangeError);
  });

  // scipy.special.gammaincc(a, x) and scipy.special.gammaln(x)
  it('regularized upper incomplete gamma', () => {
    close(regularizedGammaQ(1, 2), 0.1353352832366127, 'Q(1, 2) = e⁻²');
    close(regularizedGammaQ(0.5, 0.01), 0.887537083981715, 'Q(0.5, 0.01)');
    close(regularizedGammaQ(30, 10), 0.9999997490048799, 'Q(30, 10)');
    close(regularizedGammaQ(30, 80), 4.90322955581077e-11, 'Q(30, 80)');
    assert.equal(regularizedGammaQ(2, 0), 1);
    assert.throws(() => regularizedGammaQ(0, 1), RangeError);
  });

  it('log gamma', () => {
    close(logGamma(5), 3.1780538303479458, 'ln 4!');
    close(logGamma(0.1), 2.252712651734206, 'ln Γ(0.1)');
    close(logGamma(100.5), 361.43554046777757, 'ln Γ(100.5)', 1e-14);
  });
});
