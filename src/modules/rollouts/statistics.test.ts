import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitneyGreater, normalCdf, proportionExceeds, quantile } from './statistics.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('rollout statistics', () => {
  it('normal CDF matches tabulated values', () => {
    // scipy.stats.norm.cdf
    close(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
    close(normalCdf(1.959963985), 0.975, 1e-6, 'Φ(1.96)');
    close(normalCdf(-2.326347874), 0.01, 1e-6, 'Φ(-2.33)');
    close(normalCdf(3.090232306), 0.999, 1e-6, 'Φ(3.09)');
    close(normalCdf(-5), 2.866515718791939e-7, 1e-8, 'Φ(-5)');
  });

  it('tests a difference of proportions against a margin', () => {
    // baseline 10/1000, candidate 60/1000, margin 0.01: z = (0.05-0.01)/sqrt(.0099/1000+.0564/1000)
    const t = proportionExceeds({ successes: 10, n: 1000 }, { successes: 60, n: 1000 }, 0.01);
    close(t.difference, 0.05, 1e-12, 'difference');
    close(t.z, 0.04 / Math.sqrt(0.0099 / 1000 + 0.0564 / 1000), 1e-9, 'z');
    assert.ok(t.p < 1e-6);
    // equal rates: no evidence of being worse by the margin
    const same = proportionExceeds({ successes: 10, n: 1000 }, { successes: 10, n: 1000 }, 0.01);
    assert.ok(same.p > 0.9, String(same.p));
    // both zero: finite z thanks to the variance floor
    const zero = proportionExceeds({ successes: 0, n: 500 }, { successes: 0, n: 500 }, 0);
    assert.ok(Number.isFinite(zero.z) && Math.abs(zero.p - 0.5) < 1e-6);
  });

  it('Mann-Whitney U with tie and continuity corrections, worked by hand', () => {
    // candidate [5..9] vs baseline [1..5]: U = 24.5; one tie pair (the 5s): Σ(t³-t) = 6;
    // σ² = (5·5/12)·(11 − 6/90) = 22.7778; z = (24.5 − 12.5 − 0.5)/4.77261 = 2.40959;
    // p = 1 − Φ(2.40959) = 0.0079853 (scipy's mannwhitneyu(..., 'greater', method='asymptotic') formula)
    const t = mannWhitneyGreater([1, 2, 3, 4, 5], [5, 6, 7, 8, 9]);
    assert.equal(t.u, 24.5);
    close(t.z, 2.40959, 1e-4, 'z');
    close(t.p, 0.0079853, 1e-6, 'p');
    const reverse = mannWhitneyGreater([5, 6, 7, 8, 9], [1, 2, 3, 4, 5]);
    assert.equal(reverse.u, 0.5);
    assert.ok(reverse.p > 0.99);
  });

  it('takes nearest-rank quantiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(quantile(xs, 0.99), 99);
    assert.equal(quantile(xs, 0.5), 50);
  });
});
