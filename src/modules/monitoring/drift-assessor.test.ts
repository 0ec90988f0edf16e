import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, standardNormal } from '../../shared/seeded-random.js';
import { DEFAULT_DRIFT_OPTIONS } from './drift-assessment.js';
import { assessHere, DriftWorker } from './drift-assessor.js';
import { LiveWindow } from './live-window.js';
import { buildProfile } from './reference-profile.js';

/** A reference of x ~ N(0, 1) and a live window shifted by `shift`. */
function scenario(shift: number) {
  const random = mulberry32(11);
  const rows = (n: number, mean: number) =>
    Array.from({ length: n }, () => {
      const x = mean + standardNormal(random);
      return { row: { x, colour: x > 0 ? 'red' : 'blue' }, prediction: 1 / (1 + Math.exp(-x)) };
    });
  const reference = rows(3000, 0);
  const features = [
    { name: 'x', kind: 'numeric' as const },
    { name: 'colour', kind: 'category' as const },
  ];
  const profile = buildProfile(
    reference.map((r) => r.row),
    features,
    reference.map((r) => r.prediction),
  );
  const window = new LiveWindow(profile, { kind: 'count', size: 2000 }, { now: () => 0, random });
  for (const { row, prediction } of rows(1500, shift)) window.observe(row, prediction);
  return { profile, live: window.snapshot() };
}

describe('drift assessments in a worker thread', () => {
  it('answers exactly what the calling thread computes, for concurrent requests', async (t) => {
    const worker = new DriftWorker();
    t.after(() => worker.close());
    const cases = [scenario(0), scenario(1)];
    const [calm, shifted] = await Promise.all(
      cases.map(({ profile, live }) => worker.assess(profile, live, DEFAULT_DRIFT_OPTIONS)),
    );
    assert.deepEqual(calm, await assessHere(cases[0]!.profile, cases[0]!.live, DEFAULT_DRIFT_OPTIONS));
    assert.deepEqual(shifted, await assessHere(cases[1]!.profile, cases[1]!.live, DEFAULT_DRIFT_OPTIONS));
    assert.equal(shifted.features.find((f) => f.feature === 'x')!.verdict, 'drift');
    assert.notEqual(calm.features.find((f) => f.feature === 'x')!.verdict, 'drift');
  });

  it('rejects with the worker’s error, and keeps serving after it', async (t) => {
    const worker = new DriftWorker();
    t.after(() => worker.close());
    const { profile, live } = scenario(0);
    const broken = { ...live, features: { x: { kind: 'numeric' } } } as unknown as typeof live;
    await assert.rejects(worker.assess(profile, broken, DEFAULT_DRIFT_OPTIONS), /drift assessment failed: /);
    assert.equal((await worker.assess(profile, live, DEFAULT_DRIFT_OPTIONS)).features.length, 2);
  });

  it('fails what is pending when closed, and starts a new thread on the next request', async () => {
    const worker = new DriftWorker();
    const { profile, live } = scenario(0);
    const pending = assert.rejects(
      worker.assess(profile, live, DEFAULT_DRIFT_OPTIONS),
      /the drift worker was closed/,
    );
    await worker.close();
    await pending;
    assert.equal((await worker.assess(profile, live, DEFAULT_DRIFT_OPTIONS)).features.length, 2);
    await worker.close();
  });
});
