import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../shared/seeded-random.js';
import {
  emptySample,
  emptyTally,
  mergeSamples,
  mergeTallies,
  offer,
  parseTally,
  recordRequest,
  serialiseTally,
  toArmWindow,
  trim,
  type ArmTally,
} from './arm-tally.js';

/** A tally of n requests from one seeded stream. */
function tally(seed: number, n: number, errorEvery = 10): ArmTally {
  const rnd = mulberry32(seed);
  const t = emptyTally();
  for (let i = 0; i < n; i++)
    recordRequest(
      t,
      { serverError: i % errorEvery === 0, latencyMs: 1 + rnd() * 10, prediction: i % 3 ? 'a' : 'b' },
      rnd,
    );
  t.labelled = n % 7;
  t.correct = n % 5;
  t.shadowCompared = n % 11;
  t.shadowAgreed = n % 4;
  return t;
}

const canonical = (t: ArmTally) => serialiseTally(structuredClone(t));

describe('bottom-k samples', () => {
  it('keep the k smallest priorities whatever the order of offers', () => {
    const a = emptySample<number>(3);
    const b = emptySample<number>(3);
    const offers: Array<[number, number]> = [
      [10, 0.9],
      [11, 0.1],
      [12, 0.5],
      [13, 0.3],
      [14, 0.7],
      [15, 0.2],
    ];
    for (const [v, p] of offers) offer(a, v, p);
    for (const [v, p] of [...offers].reverse()) offer(b, v, p);
    assert.deepEqual(trim(a).items, [
      [0.1, 11],
      [0.2, 15],
      [0.3, 13],
    ]);
    assert.deepEqual(trim(b).items, trim(a).items);
  });
  it('merge to what one stream of all offers keeps', () => {
    const whole = emptySample<number>(50);
    const parts = [emptySample<number>(50), emptySample<number>(50), emptySample<number>(50)];
    const rnd = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const p = rnd();
      offer(whole, i, p);
      offer(parts[i % 3]!, i, p);
    }
    const merged = parts.reduce((x, y) => mergeSamples(x, y));
    assert.deepEqual(merged.items, trim(whole).items);
  });
  it('an empty sample merges to the other', () => {
    const s = emptySample<number>(4);
    offer(s, 1, 0.5);
    assert.deepEqual(mergeSamples(s, emptySample(4)).items, [[0.5, 1]]);
  });
});

describe('mergeTallies', () => {
  const a = tally(1, 3000);
  const b = tally(2, 4000, 5);
  const c = tally(3, 10);
  it('adds counts', () => {
    const m = mergeTallies(mergeTallies(a, b), c);
    assert.equal(m.requests, 7010);
    assert.equal(m.errors, 300 + 800 + 1);
    assert.equal(m.predicted, 7010);
    assert.equal(m.labelled, (3000 % 7) + (4000 % 7) + (10 % 7));
    assert.equal(m.shadowAgreed, 0 + 0 + 2);
    assert.equal(toArmWindow(m).latenciesMs.length, 5000);
    assert.equal(toArmWindow(m).predictions.length, 2000);
  });
  it('is commutative', () => {
    assert.equal(canonical(mergeTallies(a, b)), canonical(mergeTallies(b, a)));
    assert.equal(canonical(mergeTallies(a, c)), canonical(mergeTallies(c, a)));
  });
  it('is associative', () => {
    assert.equal(
      canonical(mergeTallies(mergeTallies(a, b), c)),
      canonical(mergeTallies(a, mergeTallies(b, c))),
    );
  });
  it('has the empty tally as its neutral element', () => {
    assert.equal(canonical(mergeTallies(a, emptyTally())), canonical(a));
    assert.equal(canonical(mergeTallies(emptyTally(), emptyTally())), canonical(emptyTally()));
  });
  it('keeps every sample while the union fits: two replicas judge like one', () => {
    const one = emptyTally();
    const r1 = emptyTally();
    const r2 = emptyTally();
    const rnd = mulberry32(9);
    for (let i = 0; i < 1200; i++) {
      const o = { serverError: i % 50 === 0, latencyMs: i / 10 };
      const p = rnd();
      recordRequest(one, o, () => p);
      recordRequest(i % 2 ? r1 : r2, o, () => p);
    }
    assert.deepEqual(toArmWindow(mergeTallies(r1, r2)), toArmWindow(one));
  });
  it('survives serialisation unchanged', () => {
    const m = mergeTallies(a, b);
    assert.equal(canonical(parseTally(serialiseTally(structuredClone(m)))), canonical(m));
    assert.deepEqual(toArmWindow(parseTally(serialiseTally(structuredClone(c)))), toArmWindow(c));
  });
});
