import { Type, type Static } from '@sinclair/typebox';
import { LIFECYCLE_STATES, type ModelVersion } from '../modules/registry/types.js';
import { lifecycleView } from '../modules/registry/lifecycle-view.js';
import type { GcReport } from '../modules/registry/artifact-collector.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** Where a version is in its life, as every version listing shows it. */
export const LifecycleSchema = Type.Object({
  state: Type.Union(LIFECYCLE_STATES.map((s) => Type.Literal(s))),
  reason: NullableString,
  /** when and by whom the state last changed; null: unchanged since registration */
  changed_at: NullableString,
  changed_by: NullableString,
  /** `collected`: the garbage collector deleted the artifact; the version cannot be restored */
  artifact: Type.Union([Type.Literal('present'), Type.Literal('collected')]),
  artifact_collected_at: NullableString,
});
export type LifecycleBody = Static<typeof LifecycleSchema>;

/** Maps at the edge; the schema and the domain view have the same shape. */
export const lifecycleBody: (v: ModelVersion) => LifecycleBody = lifecycleView;

/** Counts of a model's versions per lifecycle state (`models list`). */
export const VersionStatesSchema = Type.Object({
  active: Type.Integer(),
  deprecated: Type.Integer(),
  archived: Type.Integer(),
});

export const LifecycleBodySchema = Type.Object(
  { reason: Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' }) },
  { additionalProperties: false },
);

export const LifecycleResponseSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  /** false when the version was already in the requested state */
  changed: Type.Boolean(),
  lifecycle: LifecycleSchema,
});
export type LifecycleResponse = Static<typeof LifecycleResponseSchema>;

const THIRTY_DAYS_S = 30 * 24 * 3600;

export const GcBodySchema = Type.Object(
  {
    /** collect versions archived at least this long ago (default 30 days) */
    older_than_seconds: Type.Optional(Type.Integer({ minimum: 0, default: THIRTY_DAYS_S })),
    /** false (default): a dry run that deletes nothing and reports what would go */
    apply: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const GcResponseSchema = Type.Object({
  applied: Type.Boolean(),
  cutoff: Type.String(),
  versions: Type.Array(
    Type.Object({
      model: Type.String(),
      version: Type.String(),
      archived_at: Type.String(),
      bytes: Type.Integer(),
    }),
  ),
  kept: Type.Array(
    Type.Object({
      model: Type.String(),
      version: Type.String(),
      why: Type.Union([Type.Literal('alias'), Type.Literal('rollout'), Type.Literal('changed')]),
    }),
  ),
  blobs: Type.Array(Type.Object({ sha256: Type.String(), bytes: Type.Integer() })),
  bytes: Type.Integer(),
});
export type GcResponse = Static<typeof GcResponseSchema>;

export function gcBody(r: GcReport): GcResponse {
  return {
    applied: r.applied,
    cutoff: r.cutoff,
    versions: r.versions.map((v) => ({
      model: v.model,
      version: v.version,
      archived_at: v.archivedAt,
      bytes: v.bytes,
    })),
    kept: r.kept,
    blobs: r.blobs,
    bytes: r.bytes,
  };
}
