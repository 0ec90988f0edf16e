import type { AuditInput } from '../audit/audit.js';
import type { ArtifactFile, LifecycleState, ModelVersion } from './types.js';

export interface LifecycleChange {
  state: LifecycleState;
  reason: string;
  at: string;
  by: string;
}

export interface DeprecatedVersion {
  model: string;
  version: string;
  since: string;
  reason: string | null;
}

/** A version's stored files and whether the garbage collector already deleted them. */
export interface ArtifactReference {
  model: string;
  version: string;
  collected: boolean;
  files: ArtifactFile[];
}

/**
 * Persistence of version lifecycles. Each change is atomic, takes the model's lock (as alias moves
 * do) and writes its audit event in the same transaction.
 */
export interface LifecycleStore {
  /**
   * Compare-and-set: moves a version from `expected` to `next`. Throws LIFECYCLE_CONFLICT when the
   * state is no longer `expected` or the artifact was collected meanwhile, and VERSION_IN_USE when
   * `next` is archived and `production` or `staging` points at the version.
   */
  changeLifecycle(
    model: string,
    version: string,
    expected: LifecycleState,
    next: LifecycleChange,
    audit: AuditInput,
  ): Promise<void>;
  /** Every deprecated version, with when and why it was deprecated (for the Deprecation header). */
  deprecatedVersions(): Promise<DeprecatedVersion[]>;
  /** Archived versions whose artifact is not collected, archived at or before `cutoff` (ISO). */
  archivedBefore(cutoff: string): Promise<ModelVersion[]>;
  /** The files of every version of every model. */
  artifactReferences(): Promise<ArtifactReference[]>;
  /**
   * Marks a version's artifact collected if it is still archived, not collected, and no alias
   * (production, staging, previous) points at it. False (nothing changed) otherwise.
   */
  markCollected(model: string, version: string, at: string, audit: AuditInput): Promise<boolean>;
}
