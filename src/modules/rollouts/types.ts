import type { Actor, Aliases } from '../registry/types.js';
import type { Check, Verdict } from './judge.js';
import type { Plan, Strategy } from './plan.js';

/** Phases of a rollout, declared once. */
export const ROLLOUT_STATES = ['running', 'paused', 'promoted', 'rolled_back', 'aborted'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];
export const ACTIVE_STATES: readonly RolloutState[] = ['running', 'paused'];
export type EndState = 'promoted' | 'rolled_back' | 'aborted';

export interface Rollout {
  id: string;
  model: string;
  candidate: string;
  baseline: string;
  strategy: Strategy;
  plan: Plan;
  state: RolloutState;
  stepIndex: number;
  stepStartedAt: number;
  /** analysis looks taken in the current step */
  looks: number;
  maxLooks: number;
  /** the aliases when the rollout started */
  checkpoint: Aliases;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** bumped by every write: optimistic concurrency between commands and the controller, and routing reloads */
  revision: number;
  /** the last partial step's merged stable window (serialised ArmTally), the reference of 100% steps */
  previousBaseline: string | null;
}

export interface Decision {
  id: number;
  at: string;
  stepIndex: number;
  look: number;
  verdict: Verdict | 'n/a';
  action: string;
  checks: Check[];
  /** the replica that took the decision */
  writer: string;
}

export type Variant = 'stable' | 'candidate';

export interface RouteDecision {
  rolloutId: string;
  candidate: string;
  variant: Variant;
  /** mirror this request to the candidate after answering */
  shadow: boolean;
  /** the judge compares the arms' predictions: record one per request */
  predictions: boolean;
  /** the analysis window the request counts in: `${rollout id}#${step}#${step started at}` */
  window: string;
}

export interface RolloutEvent {
  type: 'started' | 'step_advanced' | 'paused' | 'resumed' | 'promoted' | 'rolled_back' | 'aborted';
  rollout: Rollout;
  detail: string;
}

export interface StartInput {
  model: string;
  candidate: string;
  strategy?: Strategy;
  plan?: unknown;
  actor: Actor;
}

/** The window key of a rollout's current step: a resume restarts the step, and so the window. */
export const windowKey = (r: Pick<Rollout, 'id' | 'stepIndex' | 'stepStartedAt'>): string =>
  `${r.id}#${r.stepIndex}#${r.stepStartedAt}`;
