// What the rollout page shows, computed from GET /v1/rollouts/{id}: pure, table-tested.
import type { Check, Rollout, Step } from '../api/types.js';
import { num, pct, pValue } from './format.js';

/** "canary 25%", "shadow 20% (mirrored)", "smoke tests", "pause (waits for approval)". */
export function stepLabel(step: Step | null | undefined): string {
  if (!step) return 'done';
  switch (step.type) {
    case 'smoke':
      return 'smoke tests';
    case 'shadow':
      return `shadow ${step.percent}% (mirrored)`;
    case 'canary':
      return `canary ${step.weight}%`;
    case 'pause':
      return 'pause (waits for approval)';
  }
}

/** The share of answers the candidate gives now: a canary's weight, 0 in shadow and smoke steps. */
export function candidateWeight(r: Pick<Rollout, 'state' | 'current_step'>): number {
  if (r.state === 'promoted') return 100;
  if (r.state !== 'running' || r.current_step?.type !== 'canary') return 0;
  return r.current_step.weight;
}

/**
 * Seconds left in the current step (null for steps without a duration: smoke tests, pauses, or
 * once the rollout has ended). Never negative: a step past its time waits for its last look.
 */
export function secondsLeft(
  r: Pick<Rollout, 'state' | 'current_step' | 'step_started_at'>,
  nowMs: number,
): number | null {
  const step = r.current_step;
  if ((r.state !== 'running' && r.state !== 'paused') || !step || !('durationS' in step)) return null;
  const end = Date.parse(r.step_started_at) + step.durationS * 1000;
  return Math.max(0, (end - nowMs) / 1000);
}

export const isActive = (state: string): boolean => state === 'running' || state === 'paused';

/** The figures of one check, as the page's table shows them. */
export interface CheckRow {
  name: string;
  verdict: string;
  /** the candidate's measured value */
  value: string;
  /** the baseline's, where the check compares */
  baseline: string;
  threshold: string;
  /** the sample the verdict rests on (the candidate's) */
  n: string;
  p: string;
  reason: string;
}

/** Per check: which measured field is its value and which its sample size. */
const FIELDS: Record<string, { value: string; n: string; format: (x: number | undefined) => string }> = {
  error_rate: { value: 'rate', n: 'requests', format: (x) => pct(x) },
  latency: { value: 'p99_ms', n: 'samples', format: (x) => (x === undefined ? '–' : `p99 ${num(x, 2)} ms`) },
  accuracy: { value: 'accuracy', n: 'labelled', format: (x) => pct(x) },
  shadow_agreement: { value: 'agreement', n: 'compared', format: (x) => pct(x) },
  prediction_shift: {
    value: 'psi',
    n: 'predictions',
    format: (x) => (x === undefined ? '–' : `PSI ${num(x)}`),
  },
};

export function checkRow(c: Check): CheckRow {
  const f = FIELDS[c.name] ?? { value: 'value', n: 'n', format: (x: number | undefined) => num(x) };
  const threshold = Object.entries(c.threshold)
    .map(([k, v]) => `${k.replaceAll('_', ' ')} ${num(v)}`)
    .join(', ');
  const n = c.candidate[f.n];
  return {
    name: c.name.replaceAll('_', ' '),
    verdict: c.verdict,
    value: f.format(c.candidate[f.value]),
    baseline: c.name === 'shadow_agreement' ? '–' : f.format(c.baseline[f.value]),
    threshold: threshold || '–',
    n: n === undefined ? '–' : String(n),
    p: c.statistic ? `${pValue(c.statistic.p)} (α ${pValue(c.statistic.alpha)})` : '–',
    reason: c.reason,
  };
}

export type RolloutAction = 'approve' | 'pause' | 'resume' | 'abort';

/**
 * The actions the API accepts in a rollout's state: approve at a pause step (the rollout waits
 * there, paused), pause while running, resume when paused elsewhere, abort while active.
 */
export function availableActions(r: Pick<Rollout, 'state' | 'current_step'>): RolloutAction[] {
  if (r.state === 'running') return ['pause', 'abort'];
  if (r.state !== 'paused') return [];
  return r.current_step?.type === 'pause' ? ['approve', 'abort'] : ['resume', 'abort'];
}
