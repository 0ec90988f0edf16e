import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { FakeClock } from '../../shared/clock.js';
import type { ModelVersion } from '../registry/types.js';
import { DEFAULT_DRIFT_OPTIONS } from './drift-assessment.js';
import { assessHere, type Assess } from './drift-assessor.js';
import { approxRowBytes, DriftMonitor, type DriftSources } from './drift-monitor.js';
import type { ReferenceRecord } from './reference-data.js';
import { buildProfile } from './reference-profile.js';

const rows = Array.from({ length: 300 }, (_, i) => ({ x: i % 100, c: i % 2 ? 'a' : 'b' }));
const reference: ReferenceRecord = {
  path: 'ref.csv',
  dataSha256: 'f'.repeat(64),
  rows: rows.length,
  profile: buildProfile(
    rows,
    [
      { name: 'x', kind: 'numeric' },
      { name: 'c', kind: 'category' },
    ],
    rows.map((r) => r.x / 100),
  ),
};
const version = {
  model: 'm',
  version: '1',
  task: 'regression',
  manifest: { outputs: {} },
  signature: { features: [] },
} as unknown as ModelVersion;

function monitor(sources: Partial<DriftSources> = {}, clock = new FakeClock(), assess?: Assess) {
  const logged: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
  const m = new DriftMonitor({
    sources: {
      getVersion: async () => version,
      getReference: async () => reference,
      ...sources,
    },
    window: { kind: 'count', size: 1000 },
    options: { ...DEFAULT_DRIFT_OPTIONS, minSamples: 50 },
    clock,
    logger,
    ...(assess ? { assess } : {}),
  });
  return { m, logged };
}

const predictions = (n: number, value: number) => Array.from({ length: n }, () => ({ value }));

describe('DriftMonitor', () => {
  it('holds the rows seen while the profile loads, then counts them, past a pane’s reservoir size', async () => {
    const { m } = monitor();
    m.observe('m', '1', rows.slice(0, 10), predictions(10, 0.5));
    const first = await m.report('m', '1');
    assert.equal(first.window.rows, 10);
    // more rows than a pane's reservoir (200): the default random source replaces entries
    for (let i = 0; i < 6; i++) m.observe('m', '1', rows, predictions(rows.length, 0.5));
    const r = await m.report('m', '1');
    assert.ok(r.window.rows >= 900 && r.window.rows <= 1000, String(r.window.rows));
    const x = r.columns.find((c) => c.feature === 'x')!;
    assert.equal(x.verdict, 'ok', JSON.stringify(x));
    const prediction = r.columns.at(-1)!;
    assert.equal(prediction.verdict, 'drift', 'every prediction 0.5 against a spread reference');
    assert.equal((await m.latest(60_000)).length, 1);
  });

  it('answers REFERENCE_NOT_FOUND without a profile and ignores such versions on the request path', async () => {
    let lookups = 0;
    const { m } = monitor({
      getReference: async () => {
        lookups++;
        return undefined;
      },
    });
    m.observe('m', '1', rows, predictions(rows.length, 1));
    await assert.rejects(m.report('m', '1'), /was registered without reference data/);
    m.observe('m', '1', rows, predictions(rows.length, 1));
    assert.equal(lookups, 1, 'looked up once, not per request');
    assert.deepEqual(await m.latest(1), []);
  });

  it('never throws into a prediction: a failing window turns drift off for that version, logged', async () => {
    const { m, logged } = monitor();
    await m.report('m', '1');
    const poisoned = [{ x: 1, c: 'a' }];
    const bad = [null as unknown as { value: number }];
    assert.doesNotThrow(() => m.observe('m', '1', poisoned, bad));
    assert.match(logged.join(''), /observing failed; drift of this version is off/);
    await assert.rejects(m.report('m', '1'), /drift monitoring of m 1 failed and is off/);
    assert.deepEqual(await m.latest(1), [], 'and it is left out of the metrics');
  });

  it('reassesses only when the window changed or the last assessment is too old', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23));
    const { m } = monitor({}, clock);
    m.observe('m', '1', rows, predictions(rows.length, 0.5));
    const first = await m.report('m', '1');
    clock.advance(5_000);
    assert.equal(
      (await m.report('m', '1')).assessed_at,
      first.assessed_at,
      'nothing new: the same assessment',
    );
    assert.equal((await m.latest(1))[0]!.assessed_at, first.assessed_at, 'not even past its age');
    m.observe('m', '1', rows.slice(0, 1), predictions(1, 0.5));
    assert.equal(
      (await m.latest(60_000))[0]!.window.rows,
      300,
      'a young assessment (5 s) is reused for metrics',
    );
    const fresh = await m.report('m', '1');
    assert.equal(fresh.window.rows, 301, 'the API reassesses once the window changed');
  });

  it('reports a failed lookup as the error it was, and switches off a version whose held rows fail', async () => {
    const { m } = monitor({ getReference: async () => Promise.reject(new Error('database away')) });
    await assert.rejects(m.report('m', '1'), (err: Error) => {
      assert.match(err.message, /the reference profile of m 1 could not be read/);
      assert.match(String((err.cause as Error).message), /database away/);
      return true;
    });
    const { m: poisoned, logged } = monitor();
    poisoned.observe('m', '1', [{ x: 1, c: 'a' }], [null as unknown as { value: number }]);
    await assert.rejects(poisoned.report('m', '1'), /failed and is off/);
    assert.match(logged.join(''), /observing failed/);
  });

  it('holds rows while the profile loads up to a byte bound; the rest are counted, not held', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let dropped = 0;
    const m = new DriftMonitor({
      sources: { getVersion: async () => version, getReference: async () => (await gate, reference) },
      window: { kind: 'count', size: 1000 },
      options: { ...DEFAULT_DRIFT_OPTIONS, minSamples: 50 },
      clock: new FakeClock(),
      logger: pino({ level: 'silent' }),
      heldMaxBytes: 100_000,
      onDropped: (n) => (dropped += n),
    });
    // rows with a long category value: 64 + 2 × 16 + (10,000 + 16) = 10,112 bytes each
    const long = Array.from({ length: 30 }, (_, i) => ({ x: i, c: 'z'.repeat(10_000) }));
    assert.equal(approxRowBytes(long[0]!), 10_112);
    m.observe('m', '1', long, predictions(30, 0.5));
    assert.equal(m.heldBytes, 9 * 10_112);
    assert.equal(dropped, 21);
    release();
    assert.equal(
      (await m.report('m', '1')).window.rows,
      9,
      'the held rows are counted once the profile is read',
    );
    assert.equal(m.heldBytes, 0);
  });

  it('retries a failed profile lookup with the next prediction', async () => {
    let calls = 0;
    const { m, logged } = monitor({
      getReference: async () => {
        if (++calls === 1) throw new Error('database away');
        return reference;
      },
    });
    m.observe('m', '1', rows.slice(0, 5), predictions(5, 0.1));
    await new Promise((r) => setImmediate(r));
    assert.match(logged.join(''), /reference profile lookup failed/);
    m.observe('m', '1', rows.slice(0, 7), predictions(7, 0.1));
    assert.equal((await m.report('m', '1')).window.rows, 7);
    assert.equal(calls, 2);
  });

  it('runs one assessment at a time per version, and one shared follow-up while rows keep coming', async () => {
    let calls = 0;
    let running = 0;
    let most = 0;
    const slow: Assess = async (...args) => {
      calls++;
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return assessHere(...args);
    };
    const { m, logged } = monitor({}, new FakeClock(), slow);
    m.observe('m', '1', rows, predictions(rows.length, 0.5));
    await m.report('m', '1');
    calls = 0;
    // 50 drift requests, a row arriving before each: each sees a window that moved on
    const reports = [];
    for (let i = 0; i < 50; i++) {
      m.observe('m', '1', rows.slice(i, i + 1), predictions(1, 0.5));
      reports.push(m.report('m', '1'));
    }
    const done = await Promise.all(reports);
    assert.equal(calls, 2, 'the first request’s assessment, and one follow-up for the other 49');
    assert.equal(most, 1);
    assert.equal(done.at(-1)!.window.rows, rows.length + 50, 'the follow-up saw every row');
    assert.deepEqual(logged, []);
  });

  it('keeps the last report in the metrics while an assessment fails', async () => {
    let fail = false;
    const flaky: Assess = (...args) =>
      fail ? Promise.reject(new Error('worker lost')) : assessHere(...args);
    const { m, logged } = monitor({}, new FakeClock(), flaky);
    m.observe('m', '1', rows, predictions(rows.length, 0.5));
    const good = await m.report('m', '1');
    fail = true;
    m.observe('m', '1', rows.slice(0, 1), predictions(1, 0.5));
    const kept = await m.latest(0);
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.assessed_at, good.assessed_at);
    assert.match(logged.join(''), /drift assessment failed/);
    await assert.rejects(m.report('m', '1'), /worker lost/);
  });

  it('wants rows until a version is known to have no reference profile', async () => {
    const { m } = monitor({ getReference: async () => undefined });
    assert.equal(m.wants('m', '1'), true, 'not looked up yet');
    m.observe('m', '1', rows.slice(0, 1), predictions(1, 0.5));
    await assert.rejects(m.report('m', '1'), /was registered without reference data/);
    assert.equal(m.wants('m', '1'), false);
    const { m: tracked } = monitor();
    tracked.observe('m', '1', rows.slice(0, 1), predictions(1, 0.5));
    await tracked.report('m', '1');
    assert.equal(tracked.wants('m', '1'), true);
  });
});
