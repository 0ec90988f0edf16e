// The rollout page's figures, computed from GET /v1/rollouts/{id} answers (pure, table tests).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Check, Decision, Rollout, RolloutDetail } from '../../console/src/api/types.js';
import { appendPoint, armPoint, lookSeries } from '../../console/src/logic/arm-series.js';
import {
  availableActions,
  candidateWeight,
  checkRow,
  secondsLeft,
  stepLabel,
} from '../../console/src/logic/rollout-view.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const canary = (weight: number, durationS = 60) => ({ type: 'canary' as const, weight, durationS });

describe('rollout view', () => {
  it('labels every kind of step', () => {
    const cases: Array<[Parameters<typeof stepLabel>[0], string]> = [
      [{ type: 'smoke' }, 'smoke tests'],
      [{ type: 'shadow', percent: 20, durationS: 4 }, 'shadow 20% (mirrored)'],
      [canary(25), 'canary 25%'],
      [{ type: 'pause' }, 'pause (waits for approval)'],
      [null, 'done'],
    ];
    for (const [step, label] of cases) assert.equal(stepLabel(step), label);
  });

  it("gives the candidate's share of answers by state and step", () => {
    const cases: Array<[string, Rollout['current_step'], number]> = [
      ['running', canary(25), 25],
      ['running', { type: 'shadow', percent: 20, durationS: 4 }, 0],
      ['running', { type: 'smoke' }, 0],
      ['paused', canary(50), 0], // paused: routing sends everything to stable
      ['promoted', null, 100],
      ['rolled_back', canary(50), 0],
    ];
    for (const [state, step, weight] of cases)
      assert.equal(
        candidateWeight({ state, current_step: step }),
        weight,
        `${state} ${JSON.stringify(step)}`,
      );
  });

  it('counts down the time left in a step, never below zero', () => {
    const at = (state: string, step: Rollout['current_step'], nowS: number) =>
      secondsLeft(
        { state, current_step: step, step_started_at: new Date(T0).toISOString() },
        T0 + nowS * 1000,
      );
    assert.equal(at('running', canary(25, 600), 0), 600);
    assert.equal(at('running', canary(25, 600), 599.5), 0.5);
    assert.equal(at('running', canary(25, 600), 900), 0, 'past its time, the step waits for its last look');
    assert.equal(at('paused', canary(25, 600), 60), 540);
    assert.equal(at('running', { type: 'smoke' }, 1), null);
    assert.equal(at('running', { type: 'pause' }, 1), null);
    assert.equal(at('rolled_back', canary(25, 600), 1), null);
  });

  it('offers the actions the API accepts in each state', () => {
    const cases: Array<[string, Rollout['current_step'], string[]]> = [
      ['running', canary(25), ['pause', 'abort']],
      ['paused', canary(25), ['resume', 'abort']],
      ['paused', { type: 'pause' }, ['approve', 'abort']],
      ['promoted', null, []],
      ['aborted', canary(25), []],
      ['rolled_back', canary(25), []],
    ];
    for (const [state, step, actions] of cases)
      assert.deepEqual(availableActions({ state, current_step: step }), actions, `${state}`);
  });

  it('reads value, threshold, n and p of each check', () => {
    const check = (c: Partial<Check> & Pick<Check, 'name'>): Check => ({
      verdict: 'pass',
      reason: 'r',
      baseline: {},
      candidate: {},
      threshold: {},
      ...c,
    });
    const rows = [
      check({
        name: 'error_rate',
        verdict: 'fail',
        baseline: { requests: 500, errors: 1, rate: 0.002 },
        candidate: { requests: 120, errors: 9, rate: 0.075 },
        threshold: { margin: 0.01, ceiling: 0.1, min_requests: 100 },
        statistic: { name: 'z', value: 4.1, p: 0.00002, alpha: 0.00042 },
      }),
      check({
        name: 'latency',
        baseline: { samples: 500, p50_ms: 2, p99_ms: 79.74 },
        candidate: { samples: 101, p50_ms: 5, p99_ms: 612.65 },
        threshold: { p99_ceiling_ms: 1000 },
        statistic: { name: 'mann-whitney', value: 3, p: 0, alpha: 0.00042 },
      }),
      check({ name: 'accuracy', verdict: 'inconclusive', candidate: { labelled: 0, accuracy: 0 } }),
      check({
        name: 'shadow_agreement',
        candidate: { compared: 101, agreement: 0.5248 },
        threshold: { min_agreement: 0.9 },
      }),
      check({ name: 'prediction_shift', candidate: { predictions: 300, psi: 0.31234 } }),
    ].map(checkRow);
    assert.deepEqual(
      rows.map((r) => [r.name, r.verdict, r.value, r.baseline, r.threshold, r.n, r.p]),
      [
        [
          'error rate',
          'fail',
          '7.50%',
          '0.20%',
          'margin 0.01, ceiling 0.1, min requests 100',
          '120',
          '2.00e-5 (α 4.20e-4)',
        ],
        ['latency', 'pass', 'p99 612.65 ms', 'p99 79.74 ms', 'p99 ceiling ms 1000', '101', '0 (α 4.20e-4)'],
        ['accuracy', 'inconclusive', '0.00%', '–', '–', '0', '–'],
        ['shadow agreement', 'pass', '52.48%', '–', 'min agreement 0.9', '101', '–'],
        ['prediction shift', 'pass', 'PSI 0.3123', '–', '–', '300', '–'],
      ],
    );
  });
});

describe('rollout chart series', () => {
  const decision = (at: number, checks: Check[], action = 'continue'): Decision => ({
    id: at,
    at: new Date(T0 + at * 1000).toISOString(),
    step_index: 1,
    look: at,
    verdict: 'inconclusive',
    action,
    checks,
  });
  const errorRate = (b: [number, number], c: [number, number]): Check => ({
    name: 'error_rate',
    verdict: 'pass',
    reason: '',
    baseline: { requests: b[0], errors: b[1], rate: b[0] ? b[1] / b[0] : 0 },
    candidate: { requests: c[0], errors: c[1], rate: c[0] ? c[1] / c[0] : 0 },
    threshold: {},
  });
  const latency = (b: number | null, c: number | null): Check => ({
    name: 'latency',
    verdict: 'pass',
    reason: '',
    baseline: b === null ? { samples: 0 } : { samples: 10, p99_ms: b },
    candidate: c === null ? { samples: 0 } : { samples: 10, p99_ms: c },
    threshold: {},
  });

  it('takes one point per measuring look from the decisions, oldest first, with gaps for no data', () => {
    const decisions = [
      decision(6, [errorRate([300, 3], [60, 6]), latency(80, 600)], 'rolled_back'),
      decision(4, [errorRate([200, 0], [0, 0]), latency(70, null)]),
      decision(2, []), // the smoke step: no checks, no point
    ];
    assert.deepEqual(lookSeries(decisions), [
      { t: T0 + 4000, stableErrorRate: 0, candidateErrorRate: null, stableP99Ms: 70, candidateP99Ms: null },
      { t: T0 + 6000, stableErrorRate: 0.01, candidateErrorRate: 0.1, stableP99Ms: 80, candidateP99Ms: 600 },
    ]);
    assert.deepEqual(lookSeries([]), []);
  });

  it('adds a live point per poll, in time order, bounded', () => {
    const r = (stable: number, candidate: number) =>
      ({
        step_index: 1,
        window: {
          stable: {
            requests: stable,
            errors: 0,
            labelled: 0,
            correct: 0,
            shadowCompared: 0,
            shadowAgreed: 0,
          },
          candidate: {
            requests: candidate,
            errors: 0,
            labelled: 0,
            correct: 0,
            shadowCompared: 0,
            shadowAgreed: 0,
          },
        },
      }) as unknown as RolloutDetail;
    let s = appendPoint([], armPoint(r(10, 2), T0));
    s = appendPoint(s, armPoint(r(20, 5), T0 + 1000));
    s = appendPoint(s, armPoint(r(25, 6), T0 + 1000)); // the same instant: kept once
    s = appendPoint(s, armPoint({ ...r(0, 0), window: null }, T0 + 2000)); // ended: no window
    assert.deepEqual(
      s.map((p) => [p.t - T0, p.stableRequests, p.candidateRequests]),
      [
        [0, 10, 2],
        [1000, 20, 5],
      ],
    );
    let bounded = s;
    for (let i = 2; i < 10; i++) bounded = appendPoint(bounded, armPoint(r(i, i), T0 + i * 1000), 5);
    assert.equal(bounded.length, 5);
    assert.equal(bounded[0]!.t, T0 + 5000);
  });
});
