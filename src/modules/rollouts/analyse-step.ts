import { parseTally, serialiseTally, toArmWindow, type ArmTally } from './arm-tally.js';
import { DEFAULT_JUDGE, judge, type Check, type JudgeConfig, type Verdict } from './judge.js';
import type { Step } from './plan.js';
import type { Rollout } from './types.js';

export type AnalysisStep = Extract<Step, { durationS: number }>;

/** What a look at a step's window decides (pure: the controller persists it). */
export type LookOutcome =
  | { kind: 'not_due' }
  | {
      kind: 'continue' | 'wait' | 'advance' | 'pause' | 'roll_back';
      look: number;
      verdict: Verdict;
      checks: Check[];
      /** the decision's action as recorded */
      action: string;
      reason: string;
      /** advance from a partial step: its merged stable window, the reference of a later 100% step */
      previousBaseline?: string;
    };

export function describe(step: Step): string {
  return step.type === 'canary'
    ? `canary ${step.weight}%`
    : step.type === 'shadow'
      ? `shadow ${step.percent}%`
      : step.type;
}

/**
 * Takes the look that is due at `nowMs`, if any: look n is due n analysis intervals into the
 * step. Judges the merged window (candidate against the concurrent stable arm, or at 100%
 * against the last partial step's stable window) and applies the plan's no-data policy at the
 * end of the step.
 */
export function analyseStep(
  r: Rollout,
  step: AnalysisStep,
  merged: { stable: ArmTally; candidate: ArmTally },
  nowMs: number,
  judgeConfig: Partial<Omit<JudgeConfig, 'maxLooks'>> = {},
): LookOutcome {
  const elapsed = nowMs - r.stepStartedAt;
  const look = Math.floor(elapsed / (r.plan.intervalS * 1000));
  if (look <= r.looks) return { kind: 'not_due' };
  const full = step.type === 'canary' && step.weight >= 100;
  const previous = full && r.previousBaseline ? parseTally(r.previousBaseline) : undefined;
  const j = judge(toArmWindow(previous ?? merged.stable), toArmWindow(merged.candidate), {
    ...DEFAULT_JUDGE,
    ...judgeConfig,
    maxLooks: Math.max(r.maxLooks, 1),
    earlierBaseline: previous !== undefined,
    ...(r.plan.maxPredictionPsi !== undefined ? { maxPredictionPsi: r.plan.maxPredictionPsi } : {}),
  });
  const base = { look, verdict: j.verdict, checks: j.checks };
  const what = `step ${r.stepIndex} (${describe(step)})`;
  if (j.verdict === 'fail') {
    const failed = j.checks.filter((c) => c.verdict === 'fail').map((c) => `${c.name}: ${c.reason}`);
    return {
      ...base,
      kind: 'roll_back',
      action: 'rolled_back',
      reason: `${what} failed: ${failed.join('; ')}`,
    };
  }
  if (elapsed < step.durationS * 1000) return { ...base, kind: 'continue', action: 'continue', reason: '' };
  if (j.verdict === 'pass') {
    return {
      ...base,
      kind: 'advance',
      action: 'advanced',
      reason: `${what} passed`,
      ...(full ? {} : { previousBaseline: serialiseTally(merged.stable) }),
    };
  }
  // the step is over but some check lacks data
  const missing = j.checks
    .filter((c) => c.verdict === 'inconclusive')
    .map((c) => `${c.name}: ${c.reason}`)
    .join('; ');
  const reason = `not enough data at the end of step ${r.stepIndex}: ${missing}`;
  switch (r.plan.noData) {
    case 'wait':
      return { ...base, kind: 'wait', action: 'waiting for data', reason };
    case 'pause':
      return { ...base, kind: 'pause', action: 'paused', reason };
    case 'fail':
      return { ...base, kind: 'roll_back', action: 'rolled_back', reason };
  }
}
