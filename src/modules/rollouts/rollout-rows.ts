import type { Insertable, Selectable } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Aliases } from '../registry/types.js';
import type { Check, Verdict } from './judge.js';
import type { Plan, Strategy } from './plan.js';
import type { Decision, Rollout, RolloutState } from './types.js';

type Row = Selectable<Database['rollouts']>;
type DecisionRow = Selectable<Database['rollout_decisions']>;

export function toRow(r: Rollout): Insertable<Database['rollouts']> & { revision: number } {
  return {
    id: r.id,
    model_name: r.model,
    candidate: r.candidate,
    baseline: r.baseline,
    strategy: r.strategy,
    plan: JSON.stringify(r.plan),
    state: r.state,
    step_index: r.stepIndex,
    step_started_at: r.stepStartedAt,
    looks: r.looks,
    max_looks: r.maxLooks,
    checkpoint: JSON.stringify(r.checkpoint),
    reason: r.reason,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    ended_at: r.endedAt,
    revision: r.revision,
    previous_baseline: r.previousBaseline,
  };
}

export function fromRow(row: Row): Rollout {
  return {
    id: row.id,
    model: row.model_name,
    candidate: row.candidate,
    baseline: row.baseline,
    strategy: row.strategy as Strategy,
    plan: JSON.parse(row.plan) as Plan,
    state: row.state as RolloutState,
    stepIndex: row.step_index,
    stepStartedAt: Number(row.step_started_at),
    looks: row.looks,
    maxLooks: row.max_looks,
    checkpoint: JSON.parse(row.checkpoint) as Aliases,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
    revision: Number(row.revision),
    previousBaseline: row.previous_baseline,
  };
}

export function fromDecisionRow(d: DecisionRow): Decision {
  return {
    id: Number(d.id),
    at: d.at,
    stepIndex: d.step_index,
    look: d.look,
    verdict: d.verdict as Verdict | 'n/a',
    action: d.action,
    checks: JSON.parse(d.checks) as Check[],
    writer: d.writer,
  };
}
