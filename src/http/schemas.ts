import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ALIASES } from '../modules/registry/types.js';
import { SCOPES } from '../modules/security/scopes.js';
import { MODEL_NAME_PATTERN } from '../modules/registry/manifest.js';
import { LifecycleSchema, VersionStatesSchema } from './lifecycle-schemas.js';

/** RFC 9457 problem details, with our stable `code` and per-field `errors`. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    request_id: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ pointer: Type.String(), detail: Type.String() }))),
  },
  { $id: 'Problem', title: 'Problem' },
);
export type Problem = Static<typeof ProblemSchema>;

/** An error answer as the OpenAPI document shows it: problem+json with a stable `code`. */
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
});

/** Response map for a route: its success bodies plus problem+json for every error status. */
export function responses<T extends Record<number, TSchema | { description: string; content: object }>>(
  ok: T,
) {
  return {
    ...ok,
    '4xx': problemResponse('The request was refused: RFC 9457 problem details with a stable `code`'),
    '5xx': problemResponse('The server could not answer (never with internals): problem details'),
  };
}

export const ModelNameParam = Type.String({ pattern: MODEL_NAME_PATTERN, maxLength: 63 });
export const VersionParam = Type.String({ minLength: 1, maxLength: 128 });
export const ModelParams = Type.Object({ name: ModelNameParam });
export const VersionParams = Type.Object({ name: ModelNameParam, version: VersionParam });

export const AliasesSchema = Type.Object(
  {
    production: Type.Optional(Type.String()),
    staging: Type.Optional(Type.String()),
    previous: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const PredictionSchema = Type.Object({
  label: Type.Optional(Type.String()),
  probabilities: Type.Optional(Type.Record(Type.String(), Type.Number())),
  value: Type.Optional(Type.Number()),
});

export const predictBodySchema = (maxInstances: number) =>
  Type.Object(
    {
      instances: Type.Array(Type.Object({}, { additionalProperties: true }), {
        minItems: 1,
        maxItems: maxInstances,
      }),
      /** sticky rollout assignment: requests with the same key get the same variant */
      routing_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    },
    { additionalProperties: false },
  );
export type PredictBody = Static<ReturnType<typeof predictBodySchema>>;

export const PredictResponseSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  artifact_sha256: Type.String(),
  prediction_id: Type.String(),
  predictions: Type.Array(PredictionSchema),
  /** during a rollout: `stable` or `candidate` */
  variant: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('candidate')])),
});
export type PredictResponse = Static<typeof PredictResponseSchema>;

export const VersionSummarySchema = Type.Object({
  version: Type.String(),
  display_id: Type.String(),
  artifact_sha256: Type.String(),
  task: Type.String(),
  created_at: Type.String(),
  created_by: Type.String(),
  changelog: Type.String(),
  lifecycle: LifecycleSchema,
});

export const ModelSummarySchema = Type.Object({
  name: Type.String(),
  created_at: Type.String(),
  aliases: AliasesSchema,
  version_count: Type.Integer(),
  latest_version: Type.Union([Type.String(), Type.Null()]),
  /** how many versions are active, deprecated, archived */
  version_states: VersionStatesSchema,
});
export type ModelSummaryBody = Static<typeof ModelSummarySchema>;

export const ModelDetailSchema = Type.Composite([
  ModelSummarySchema,
  Type.Object({ versions: Type.Array(VersionSummarySchema) }),
]);
export type ModelDetailBody = Static<typeof ModelDetailSchema>;

export const FeatureOutSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  values: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]))),
  nullable: Type.Boolean(),
  description: Type.Optional(Type.String()),
});

export const VersionDetailSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  display_id: Type.String(),
  artifact_sha256: Type.String(),
  manifest_sha256: Type.String(),
  task: Type.String(),
  created_at: Type.String(),
  created_by: Type.String(),
  aliases: Type.Array(Type.String()),
  loaded: Type.Boolean(),
  lifecycle: LifecycleSchema,
  files: Type.Array(
    Type.Object({ path: Type.String(), sha256: Type.String(), size: Type.Integer(), role: Type.String() }),
  ),
  signature: Type.Object({
    features: Type.Array(FeatureOutSchema),
    features_inferred: Type.Boolean(),
    input_layout: Type.String(),
    labels: Type.Optional(Type.Array(Type.String())),
  }),
  manifest: Type.Unknown(),
});
export type VersionDetailBody = Static<typeof VersionDetailSchema>;

export const RegisterResponseSchema = Type.Object({ created: Type.Boolean(), version: VersionDetailSchema });
export type RegisterResponse = Static<typeof RegisterResponseSchema>;

export const AliasMoveResponseSchema = Type.Object({
  model: Type.String(),
  aliases: AliasesSchema,
  changed: Type.Boolean(),
  /** when a rollout was active: its id; it was aborted and stable keeps serving */
  rollout_aborted: Type.Optional(Type.String()),
});
export type AliasMoveResponse = Static<typeof AliasMoveResponseSchema>;

/** An admin's reason to promote a version the promotion policy refuses (written to the audit log). */
export const OverrideReason = Type.String({ minLength: 3, maxLength: 500, pattern: '\\S' });
export const PromoteBodySchema = Type.Object(
  { version: VersionParam, override_reason: Type.Optional(OverrideReason) },
  { additionalProperties: false },
);
export const RollbackBodySchema = Type.Object(
  { to: Type.Optional(VersionParam) },
  { additionalProperties: false },
);
export const AliasBodySchema = Type.Object(
  { version: Type.Union([VersionParam, Type.Null()]) },
  { additionalProperties: false },
);
export const AliasParams = Type.Object({
  name: ModelNameParam,
  alias: Type.Union(ALIASES.map((a) => Type.Literal(a))),
});

export const VerifyResponseSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  artifact_sha256: Type.String(),
  ok: Type.Boolean(),
  files: Type.Array(
    Type.Object({
      path: Type.String(),
      expected: Type.String(),
      actual: Type.Union([Type.String(), Type.Null()]),
      ok: Type.Boolean(),
    }),
  ),
});
export type VerifyResponse = Static<typeof VerifyResponseSchema>;

export const ScopeSchema = Type.Union(SCOPES.map((s) => Type.Literal(s)));

export const KeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Type.String(),
  created_by: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
export type KeyBody = Static<typeof KeySchema>;

export const CreateKeyBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[\\x20-\\x7E]+$' }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: SCOPES.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export const CreatedKeySchema = Type.Composite([KeySchema, Type.Object({ key: Type.String() })]);
export type CreatedKeyBody = Static<typeof CreatedKeySchema>;
export const KeyListSchema = Type.Object({ keys: Type.Array(KeySchema) });

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), uptime_seconds: Type.Number() });
export const ReadySchema = Type.Object({
  ready: Type.Boolean(),
  models: Type.Array(
    Type.Object({
      name: Type.String(),
      /** the registry's production version */
      version: Type.Union([Type.String(), Type.Null()]),
      /** the version answering on this replica (differs from `version` while a change loads or failed) */
      serving: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      state: Type.String(),
      error: Type.Optional(Type.String()),
    }),
  ),
  /** Why the server is not ready although its models are (the bootstrap listener: not started yet). */
  reason: Type.Optional(Type.String()),
  /**
   * Whether the database answers. While it does not, a running replica stays ready (it serves
   * predictions from loaded models and cached keys) and admin calls answer 503.
   */
  database: Type.Optional(Type.Union([Type.Literal('available'), Type.Literal('unavailable')])),
  /** Since when and why the database is unavailable. */
  database_reason: Type.Optional(Type.String()),
});
export type ReadyBody = Static<typeof ReadySchema>;

export const AuditQuerySchema = Type.Object(
  {
    model: Type.Optional(ModelNameParam),
    principal: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    since: Type.Optional(Type.String({ maxLength: 40, description: 'inclusive, ISO 8601 date-time' })),
    until: Type.Optional(Type.String({ maxLength: 40, description: 'exclusive, ISO 8601 date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,18}$', description: 'next_cursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

export const AuditEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  principal: Type.String(),
  action: Type.String(),
  model: Type.Union([Type.String(), Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
});

export const AuditPageSchema = Type.Object({
  events: Type.Array(AuditEventSchema),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
});
export type AuditPage = Static<typeof AuditPageSchema>;
