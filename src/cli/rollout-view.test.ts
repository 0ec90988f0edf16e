import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RolloutDetail } from '../client/client.js';
import { formatSeconds, renderRollout, stepClock, trafficText } from './rollout-view.js';

const T0 = Date.parse('2026-11-02T12:00:00.000Z');

function rollout(over: Partial<RolloutDetail> = {}): RolloutDetail {
  const steps = [{ type: 'smoke' }, { type: 'canary', weight: 30, durationS: 600 }];
  return {
    id: 'ro_0123456789abcdef',
    model: 'breast-cancer',
    candidate: '1.1.0',
    baseline: '1.0.0',
    strategy: 'canary',
    state: 'running',
    step_index: 1,
    steps,
    current_step: steps[1]!,
    step_started_at: new Date(T0).toISOString(),
    max_prediction_psi: null,
    min_requests: 100,
    reason: null,
    created_at: new Date(T0).toISOString(),
    ended_at: null,
    window: { stable: { requests: 88, errors: 0 }, candidate: { requests: 12, errors: 1 } },
    decisions: [],
    ...over,
  };
}

describe('formatSeconds', () => {
  for (const [s, text] of [
    [0, '0s'],
    [-5, '0s'],
    [5.9, '5s'],
    [59, '59s'],
    [60, '1m00s'],
    [75, '1m15s'],
    [3599, '59m59s'],
    [3600, '1h00m'],
    [90_061, '25h01m'],
  ] as const)
    it(`${s} s → ${text}`, () => assert.equal(formatSeconds(s), text));
});

describe('stepClock', () => {
  it('counts from the step start; what is left of its duration never goes below 0', () => {
    assert.deepEqual(stepClock(rollout(), T0 + 125_000), { elapsedS: 125, remainingS: 475 });
    assert.deepEqual(stepClock(rollout(), T0 + 700_000), { elapsedS: 700, remainingS: 0 });
    assert.deepEqual(stepClock(rollout(), T0 - 1000), { elapsedS: 0, remainingS: 600 });
  });
  it('has no time left for a step without a duration (smoke, pause)', () => {
    const r = rollout({ step_index: 0, current_step: { type: 'smoke' } });
    assert.deepEqual(stepClock(r, T0 + 5000), { elapsedS: 5, remainingS: null });
  });
});

describe('trafficText', () => {
  const cases: Array<[string, Partial<RolloutDetail>, string | undefined]> = [
    [
      'canary, both arms short',
      {},
      'waiting for traffic: 12/100 requests on the candidate, 88/100 on stable',
    ],
    [
      'canary, stable has enough',
      { window: { stable: { requests: 400 }, candidate: { requests: 99 } } },
      'waiting for traffic: 99/100 requests on the candidate, 400/100 on stable',
    ],
    [
      'canary, both have enough',
      { window: { stable: { requests: 100 }, candidate: { requests: 100 } } },
      'traffic: 100/100 requests on the candidate, 100/100 on stable: enough to judge',
    ],
    [
      'canary at 100%: only the candidate is judged on this step',
      {
        current_step: { type: 'canary', weight: 100, durationS: 600 },
        window: { stable: { requests: 0 }, candidate: { requests: 30 } },
      },
      'waiting for traffic: 30/100 requests on the candidate',
    ],
    [
      'shadow: the candidate counts its comparisons',
      {
        current_step: { type: 'shadow', percent: 5, durationS: 600 },
        window: { stable: { requests: 500 }, candidate: { requests: 0, shadowCompared: 25 } },
      },
      'waiting for traffic: 25/100 shadow comparisons, 500/100 on stable',
    ],
    [
      'a window without counts yet',
      { window: { stable: {}, candidate: {} } },
      'waiting for traffic: 0/100 requests on the candidate, 0/100 on stable',
    ],
    ['smoke step', { step_index: 0, current_step: { type: 'smoke' } }, undefined],
    ['ended rollout', { state: 'promoted', window: null }, undefined],
    ['no live window', { window: null }, undefined],
  ];
  for (const [name, over, text] of cases) it(name, () => assert.equal(trafficText(rollout(over)), text));
});

describe('renderRollout', () => {
  it('shows the step with its elapsed and remaining time and the traffic so far', () => {
    const text = renderRollout(rollout(), T0 + 125_000);
    assert.deepEqual(text.split('\n'), [
      'rollout ro_0123456789abcdef: breast-cancer 1.0.0 -> 1.1.0 (canary)',
      'state: running',
      'steps: [#>] 1/2; now: canary 30% for 10m00s: 2m05s elapsed, 7m55s left',
      'waiting for traffic: 12/100 requests on the candidate, 88/100 on stable',
      'window: stable 88 requests, 0 errors | candidate 12 requests, 1 errors',
    ]);
  });
  it('marks a paused step and names the end state of a finished rollout', () => {
    assert.match(
      renderRollout(rollout({ state: 'paused', reason: 'paused by key:x' }), T0 + 5000),
      /state: paused - paused by key:x\nsteps: \[#\.\] 1\/2; now: canary 30% for 10m00s \(paused\): 5s elapsed, 9m55s left/,
    );
    const done = renderRollout(
      rollout({ state: 'promoted', step_index: 2, current_step: null, window: null }),
      T0,
    );
    assert.match(done, /steps: \[##\] 2\/2; now: promoted$/m);
    assert.doesNotMatch(done, /waiting|elapsed/);
  });
});
