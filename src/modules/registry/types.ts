import type { Manifest, Task } from './manifest.js';
import type { FeatureType } from './manifest.js';

export const ALIASES = ['production', 'staging', 'previous'] as const;
export type AliasName = (typeof ALIASES)[number];
export type Aliases = Partial<Record<AliasName, string>>;

/** Whether two alias sets point every alias at the same version. */
export function sameAliases(a: Aliases, b: Aliases): boolean {
  return ALIASES.every((k) => a[k] === b[k]);
}

/** One file of an artifact set; `path` is relative to the main model file's folder. */
export interface ArtifactFile {
  path: string;
  sha256: string;
  size: number;
  role: 'model' | 'external_data';
}

/** The served contract of a version, as resolved when it was registered (features may be inferred). */
export interface VersionSignature {
  features: Array<{
    name: string;
    type: FeatureType;
    min?: number;
    max?: number;
    values?: Array<string | number>;
    nullable: boolean;
    description?: string;
  }>;
  features_inferred: boolean;
  input_layout: 'matrix' | 'columns';
  labels?: string[];
}

export interface ModelVersion {
  model: string;
  version: string;
  /** Human-readable id: `{model}-v{version}-{yyyymmdd-hhmm}`. */
  displayId: string;
  /** SHA-256 of the model file, or of the set's listing when there are external data files. */
  artifactSha256: string;
  manifestSha256: string;
  /** The main model file first, then external data files. */
  files: ArtifactFile[];
  manifest: Manifest;
  signature: VersionSignature;
  task: Task;
  createdAt: string;
  createdBy: string;
  lifecycle: VersionLifecycle;
}

/**
 * Where a version is in its life: `active` serves and moves freely; `deprecated` still serves but
 * every answer carries a Deprecation header; `archived` cannot be promoted, staged or rolled out,
 * and its artifact may be garbage-collected after a retention period.
 */
export const LIFECYCLE_STATES = ['active', 'deprecated', 'archived'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface VersionLifecycle {
  state: LifecycleState;
  /** why the state was last changed (null for a version never deprecated or archived) */
  reason: string | null;
  /** when and by whom the state last changed (null: since registration) */
  changedAt: string | null;
  changedBy: string | null;
  /** when the garbage collector deleted the artifact's bytes; a collected version stays archived */
  artifactCollectedAt: string | null;
}

export const ACTIVE_LIFECYCLE: VersionLifecycle = Object.freeze({
  state: 'active',
  reason: null,
  changedAt: null,
  changedBy: null,
  artifactCollectedAt: null,
});

export interface ModelSummary {
  name: string;
  createdAt: string;
  aliases: Aliases;
  versionCount: number;
  latestVersion: string | undefined;
  versionStates: Record<LifecycleState, number>;
}

/** Who did something: an API key, a token subject, or the system itself. */
export interface Actor {
  id: string;
}
