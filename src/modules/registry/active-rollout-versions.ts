/**
 * What the registry's lifecycle needs from rollouts: the versions an active (running or paused)
 * rollout uses, as candidate or baseline. Declared here, where it is consumed; implemented by
 * SqlActiveRolloutVersions over the rollout tables, read-only.
 */
export interface ActiveRolloutVersions {
  /** Versions of `model` (or of every model) in an active rollout. */
  versionsInActiveRollouts(model?: string): Promise<Array<{ model: string; version: string }>>;
}
