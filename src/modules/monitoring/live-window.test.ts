import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveWindow, PANES, RESERVOIR, type LiveSummary, type WindowSpec } from './live-window.js';
import { binIndex, buildNumericProfile, buildProfile, type Profile } from './reference-profile.js';
import { mulberry32 } from '../../shared/seeded-random.js';
import * as codec from './pane-codec.js';

const close = (actual: number | null, expected: number | null, what: string) =>
  expected === null || actual === null
    ? assert.equal(actual, expected, what)
    : assert.ok(
        Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
        `${what}: ${actual} vs ${expected}`,
      );

// reference: x = 1…100 (decile edges 10.9, 20.8, …), c ∈ {a, b}, prediction = x/100
const profile: Profile = buildProfile(
  Array.from({ length: 100 }, (_, i) => ({ x: i + 1, c: i % 2 === 0 ? 'a' : 'b' })),
  [
    { name: 'x', kind: 'numeric' },
    { name: 'c', kind: 'category' },
  ],
  Array.from({ length: 100 }, (_, i) => (i + 1) / 100),
);
const xProfile = profile.features.x;
const edges = xProfile?.kind === 'numeric' ? xProfile.edges : [];

const makeWindow = (spec: WindowSpec, now: () => number = () => 0) =>
  new LiveWindow(profile, spec, { now, random: mulberry32(42) });

const numeric = (s: LiveSummary | undefined) => {
  assert.ok(s?.kind === 'numeric');
  return s;
};
const category = (s: LiveSummary | undefined) => {
  assert.ok(s?.kind === 'category');
  return s;
};

/** The window's numbers must equal those computed directly from the values it should hold. */
function assertHolds(window: LiveWindow, values: number[]): void {
  const snap = window.snapshot();
  const x = numeric(snap.features.x);
  const direct = buildNumericProfile(values);
  assert.equal(snap.rows, values.length);
  assert.equal(x.count, values.length);
  close(x.mean, direct.mean, 'mean');
  close(x.std, direct.std, 'std');
  assert.equal(x.min, direct.min);
  assert.equal(x.max, direct.max);
  const bins = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) bins[binIndex(edges, v)]!++;
  assert.deepEqual(x.bin_counts, bins);
  assert.deepEqual(
    x.sample,
    [...values].sort((a, b) => a - b),
  );
  const c = category(snap.features.c);
  assert.deepEqual(c.counts, {
    a: values.filter((v) => v % 3 === 0).length,
    b: values.filter((v) => v % 3 === 1).length,
  });
  assert.equal(c.other_count, values.filter((v) => v % 3 === 2).length);
  close(numeric(snap.prediction).mean, direct.mean === null ? null : direct.mean / 100, 'prediction mean');
}

const observe = (window: LiveWindow, v: number) =>
  window.observe({ x: v, c: ['a', 'b', 'zzz'][v % 3] }, v / 100);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('LiveWindow', () => {
  it('a count window drops its oldest pane when a new one starts', () => {
    const window = makeWindow({ kind: 'count', size: 20 }); // panes of 2
    range(1, 20).forEach((v) => observe(window, v));
    assertHolds(window, range(1, 20));
    observe(window, 21); // pane 11 starts: pane 1 (1, 2) leaves
    assertHolds(window, range(3, 21));
    observe(window, 22);
    assertHolds(window, range(3, 22));
    observe(window, 23);
    assertHolds(window, range(5, 23));
  });

  it('a time window drops panes older than the window, also after a silence', () => {
    let now = 0;
    const window = makeWindow({ kind: 'time', seconds: 10 }, () => now); // panes of 1 s
    observe(window, 1);
    now = 5_500;
    observe(window, 2);
    observe(window, 3);
    assertHolds(window, [1, 2, 3]);
    now = 9_999;
    assertHolds(window, [1, 2, 3]);
    now = 10_000; // pane 0 (t < 1 s) leaves
    assertHolds(window, [2, 3]);
    now = 14_999; // the current pane and the 9 before it: panes 5…14
    assertHolds(window, [2, 3]);
    now = 15_000;
    assertHolds(window, []);
    now = 3_600_000;
    observe(window, 4);
    assertHolds(window, [4]);
  });

  it('a clock that steps back counts as standing still', () => {
    let now = 20_000;
    const window = makeWindow({ kind: 'time', seconds: 10 }, () => now);
    observe(window, 1);
    now = 5_000;
    observe(window, 2);
    assertHolds(window, [1, 2]);
  });

  it(`keeps at most ${RESERVOIR} values per pane, weighting panes by their counts`, () => {
    let now = 0;
    const window = makeWindow({ kind: 'time', seconds: 10 }, () => now);
    range(1, 1000).forEach((v) => observe(window, v));
    now = 1_000;
    range(2001, 2100).forEach((v) => observe(window, v));
    const x = numeric(window.snapshot().features.x);
    assert.equal(x.count, 1100);
    close(x.mean, (500.5 * 1000 + 2050.5 * 100) / 1100, 'mean');
    // rate = min(200/1000, 100/100) = 0.2: 200 from the busy pane, 20 from the quiet one
    assert.equal(x.sample.length, 220);
    assert.equal(x.sample.filter((v) => v <= 1000).length, 200);
    assert.equal(new Set(x.sample).size, 220);
    assert.ok(x.sample.every((v, i) => i === 0 || x.sample[i - 1]! < v));
  });

  it('keeps moments finite for values near the largest doubles', () => {
    const one = makeWindow({ kind: 'count', size: 100 });
    one.observe({ x: 1e200, c: 'a' }, 0.5);
    const pane = one.livePanes()[0]!.tallies[0]!;
    assert.ok(pane.kind === 'numeric');
    assert.deepEqual([pane.mean, pane.m2], [1e200, 0]);
    // a sum of two would overflow
    const two = makeWindow({ kind: 'count', size: 100 });
    two.observeMany(
      [
        { x: 1e308, c: 'a' },
        { x: 1e308, c: 'a' },
      ],
      [0.5, 0.5],
    );
    assert.equal(numeric(two.snapshot().features.x).mean, 1e308);
    assert.equal(numeric(two.snapshot().features.x).std, 0);
    // panes merged in a snapshot: the first, empty side of a merge is skipped
    const panes = makeWindow({ kind: 'count', size: 10 * PANES });
    range(1, 10).forEach(() => panes.observe({ x: 1.3e154, c: 'a' }, 0.5));
    panes.observe({ x: 1.4e154, c: 'a' }, 0.5);
    const x = numeric(panes.snapshot().features.x);
    close(x.std, Math.sqrt((10 * (1.3e154 - x.mean!) ** 2 + (1.4e154 - x.mean!) ** 2) / 10), 'std');
  });

  it('samples rows: one draw per row, each column still a uniform sample of its values', () => {
    // x = 1…1000 in one pane of 300 windows, prediction x/100
    const kept = new Array<number>(1001).fill(0);
    for (let run = 0; run < 300; run++) {
      const window = new LiveWindow(
        profile,
        { kind: 'count', size: 10_000 },
        { now: () => 0, random: mulberry32(run) },
      );
      range(1, 1000).forEach((v) => window.observe({ x: v, c: 'a' }, v / 100));
      const tallies = window.livePanes()[0]!.tallies;
      const [x, , prediction] = tallies.map((t) => (t.kind === 'numeric' ? t.reservoir : []));
      assert.equal(x!.length, RESERVOIR);
      // the columns of a row are kept together
      assert.deepEqual(
        prediction,
        x!.map((v) => v / 100),
      );
      for (const v of x!) kept[v]!++;
    }
    // each value kept with probability 200/1000, early and late alike (300 runs: sd ≈ 0.007)
    const share = (from: number, to: number) =>
      kept.slice(from, to).reduce((a, b) => a + b, 0) / ((to - from) * 300);
    for (const [from, to] of [
      [1, 101],
      [451, 551],
      [901, 1001],
    ] as const) {
      assert.ok(Math.abs(share(from, to) - 0.2) < 0.03, `values ${from}…${to - 1}: ${share(from, to)}`);
    }
  });

  it('counts missing values and values outside the reference categories', () => {
    const window = makeWindow({ kind: 'count', size: 100 });
    window.observe({ x: null, c: 'a' }, 0.5);
    window.observe({ x: 'twelve', c: undefined }, 0.5);
    window.observe({ x: NaN, c: 'new' }, 0.5);
    window.observe({ c: 'b' }, 'label');
    const snap = window.snapshot();
    const x = numeric(snap.features.x);
    assert.deepEqual(
      [x.count, x.missing, x.missing_share, x.mean, x.std, x.min],
      [0, 4, 1, null, null, null],
    );
    assert.deepEqual(x.sample, []);
    const c = category(snap.features.c);
    assert.deepEqual([c.count, c.missing, c.counts, c.other_count], [3, 1, { a: 1, b: 1 }, 1]);
    const prediction = numeric(snap.prediction);
    assert.deepEqual([prediction.count, prediction.missing], [3, 1]);
  });

  it('an empty window', () => {
    const snap = makeWindow({ kind: 'count', size: 10 }).snapshot();
    assert.equal(snap.rows, 0);
    assert.deepEqual(numeric(snap.features.x).bin_counts, new Array<number>(edges.length + 1).fill(0));
    assert.equal(numeric(snap.features.x).missing_share, 0);
  });

  it('rejects windows it cannot split into panes', () => {
    assert.throws(() => makeWindow({ kind: 'count', size: PANES - 1 }), RangeError);
    assert.throws(() => makeWindow({ kind: 'count', size: 10.5 }), RangeError);
    assert.throws(() => makeWindow({ kind: 'time', seconds: 0 }), RangeError);
  });
});

describe('LiveWindow across replicas', () => {
  it("merges another replica's live panes: the numbers of one window that saw all rows", () => {
    let now = 0;
    const spec: WindowSpec = { kind: 'time', seconds: 100 };
    const a = makeWindow(spec, () => now);
    const b = makeWindow(spec, () => now);
    for (const v of range(1, 60)) {
      now = v * 1000;
      observe(v % 2 ? a : b, v);
    }
    const published = b.livePanes().map((p) => codec.decodePane(codec.encodePane(p)));
    const merged = a.snapshot(published);
    const x = numeric(merged.features.x);
    assert.equal(merged.rows, 60);
    const bins = new Array<number>(edges.length + 1).fill(0);
    for (const v of range(1, 60)) bins[binIndex(edges, v)]!++;
    assert.deepEqual(x.bin_counts, bins);
    close(x.mean, 30.5, 'mean');
    assert.equal(x.min, 1);
    assert.equal(x.max, 60);
    // panes that have left a's time window are not counted
    now = 200_000;
    assert.equal(a.snapshot(published).rows, 0);
  });

  it('keeps ±Infinity of an empty tally through the codec', () => {
    const w = makeWindow({ kind: 'count', size: 10 });
    observe(w, 5);
    const pane = w.livePanes()[0]!;
    const round = codec.decodePane(codec.encodePane({ ...pane, tallies: [...pane.tallies] }));
    assert.deepEqual(round, pane);
    const empty = makeWindow({ kind: 'count', size: 10 });
    empty.observe({}, Number.NaN);
    const e = empty.livePanes()[0]!;
    assert.deepEqual(codec.decodePane(codec.encodePane(e)), e);
  });

  it("records a request's rows at once as it records them one by one, across pane boundaries", () => {
    const random = mulberry32(3);
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      x: i % 17 === 0 ? null : Math.round(random() * 12000) / 100,
      c: i % 5 === 0 ? 'z' : i % 2 ? 'a' : 'b',
    }));
    const predictions = rows.map((_, i) => (i % 13) / 13);
    // panes of 300 rows: the reservoirs fill and then replace, drawing the same random numbers
    const one = makeWindow({ kind: 'count', size: 3000 });
    const many = makeWindow({ kind: 'count', size: 3000 });
    rows.forEach((row, i) => one.observe(row, predictions[i]!));
    for (let from = 0; from < rows.length;) {
      const to = Math.min(rows.length, from + 1 + Math.floor(random() * 700));
      many.observeMany(rows.slice(from, to), predictions.slice(from, to));
      from = to;
    }
    assert.deepEqual(withoutMoments(many.livePanes()), withoutMoments(one.livePanes()));
    assert.deepEqual(withoutMoments(many.snapshot()), withoutMoments(one.snapshot()));
    assert.equal(many.changeToken, one.changeToken);
    // the moments: merged per block rather than updated per value, equal up to rounding
    const moments = (w: LiveWindow) =>
      w.livePanes().flatMap((p) => p.tallies.flatMap((t) => (t.kind === 'numeric' ? [t.mean, t.m2] : [])));
    const expected = moments(one);
    moments(many).forEach((m, i) => close(m, expected[i]!, `moment ${i}`));
    close(numeric(many.snapshot().features.x).std, numeric(one.snapshot().features.x).std, 'std');
    // a time window: one pane for the request's rows, the same numbers
    const t1 = makeWindow({ kind: 'time', seconds: 60 });
    const t2 = makeWindow({ kind: 'time', seconds: 60 });
    rows.slice(0, 150).forEach((row, i) => t1.observe(row, predictions[i]!));
    t2.observeMany(rows.slice(0, 150), predictions.slice(0, 150));
    assert.deepEqual(withoutMoments(t2.snapshot()), withoutMoments(t1.snapshot()));
    close(numeric(t2.snapshot().features.x).mean, numeric(t1.snapshot().features.x).mean, 'mean');
  });
});

/** A copy without the floating-point moments (mean, m2, std), which depend on how rows were grouped. */
function withoutMoments(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => (k === 'mean' || k === 'm2' || k === 'std' ? undefined : v)),
  );
}
