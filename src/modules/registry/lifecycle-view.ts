import type { LifecycleState, ModelVersion } from './types.js';

/** A version's lifecycle as listings, the API and the model card show it. */
export interface LifecycleView {
  state: LifecycleState;
  reason: string | null;
  /** when and by whom the state last changed; null: unchanged since registration */
  changed_at: string | null;
  changed_by: string | null;
  /** `collected`: the garbage collector deleted the artifact; the version cannot be restored */
  artifact: 'present' | 'collected';
  artifact_collected_at: string | null;
}

export function lifecycleView(v: ModelVersion): LifecycleView {
  const l = v.lifecycle;
  return {
    state: l.state,
    reason: l.reason,
    changed_at: l.changedAt,
    changed_by: l.changedBy,
    artifact: l.artifactCollectedAt === null ? 'present' : 'collected',
    artifact_collected_at: l.artifactCollectedAt,
  };
}
