import { Type, type Static } from '@sinclair/typebox';
import { DRIFT_VERDICTS } from '../modules/monitoring/drift-assessment.js';
import { READINESS_VERDICTS } from '../modules/quality/deployment-readiness.js';
import { FeatureOutSchema, VersionParam } from './schemas.js';
import { LifecycleSchema } from './lifecycle-schemas.js';

const Num = Type.Union([Type.Number(), Type.Null()]);
const Verdict = Type.Union(DRIFT_VERDICTS.map((v) => Type.Literal(v)));

export const DriftQuerySchema = Type.Object(
  { version: Type.Optional(VersionParam) },
  { additionalProperties: false },
);

const DriftColumnSchema = Type.Object({
  feature: Type.String({ description: "a feature's name, or `prediction` for the model output" }),
  kind: Type.Union([Type.Literal('numeric'), Type.Literal('category')]),
  n_reference: Type.Integer(),
  n_live: Type.Integer(),
  psi: Num,
  test: Type.Union([Type.Literal('ks'), Type.Literal('chi2')]),
  statistic: Num,
  p_value: Num,
  p_adjusted: Num,
  verdict: Verdict,
  reference: Type.Object({ mean: Num, std: Num, missing_share: Type.Number() }),
  live: Type.Object({ mean: Num, std: Num, missing_share: Type.Number() }),
  bins: Type.Array(Type.Object({ label: Type.String(), reference: Type.Number(), live: Type.Number() })),
});

export const DriftReportSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  assessed_at: Type.String(),
  window: Type.Object({
    kind: Type.Union([Type.Literal('count'), Type.Literal('time')]),
    size: Type.Number({ description: 'rows (count windows) or seconds (time windows)' }),
    rows: Type.Integer({ description: 'live rows in the window now' }),
  }),
  reference: Type.Object({ rows: Type.Integer(), data_sha256: Type.String() }),
  options: Type.Object({
    min_samples: Type.Integer(),
    psi_watch: Type.Number(),
    psi_act: Type.Number(),
    alpha: Type.Number(),
  }),
  summary: Type.Object({
    drifted_features: Type.Array(Type.String()),
    watch_features: Type.Array(Type.String()),
    prediction_drifted: Type.Boolean(),
  }),
  columns: Type.Array(DriftColumnSchema, { description: 'features in manifest order, then the prediction' }),
});
export type DriftReportBody = Static<typeof DriftReportSchema>;

export const EvaluationSchema = Type.Object({
  id: Type.String(),
  model: Type.String(),
  version: Type.String(),
  data_sha256: Type.String({
    description: 'SHA-256 of the CSV body: evaluations compare only on the same data',
  }),
  data_name: Type.Union([Type.String(), Type.Null()]),
  label_column: Type.String(),
  rows: Type.Integer(),
  metrics: Type.Record(Type.String(), Num, {
    description:
      'classification: roc_auc, accuracy, f1, log_loss; regression: mae, rmse, r2 (as scikit-learn computes them)',
  }),
  created_at: Type.String(),
  created_by: Type.String(),
});
export type EvaluationBody = Static<typeof EvaluationSchema>;

export const EvaluateQuerySchema = Type.Object(
  {
    label: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'the column holding the true label or value',
    }),
    data_name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "the data file's name, for people" }),
    ),
  },
  { additionalProperties: false },
);

export const CardQuerySchema = Type.Object(
  {
    format: Type.Union([Type.Literal('markdown'), Type.Literal('html'), Type.Literal('json')], {
      default: 'markdown',
    }),
  },
  { additionalProperties: false },
);

const Str = Type.Optional(Type.String());
const Summary = {
  mean: Type.Optional(Num),
  std: Type.Optional(Num),
  top_categories: Type.Optional(Type.Array(Type.String())),
};

/** The deployment-readiness checklist of a version: each check pass/warn/fail with its reason. */
export const ReadinessSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  /** true when no check failed (warnings allowed) */
  go: Type.Boolean(),
  checks: Type.Array(
    Type.Object({
      name: Type.String(),
      verdict: Type.Union(READINESS_VERDICTS.map((v) => Type.Literal(v))),
      reason: Type.String(),
    }),
  ),
});
export type ReadinessBody = Static<typeof ReadinessSchema>;

/** The model card's fields (`?format=json`): what the Markdown and HTML cards are drawn from. */
export const ModelCardSchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  display_id: Type.String(),
  task: Type.String(),
  description: Str,
  intended_use: Str,
  limitations: Str,
  ethical_considerations: Str,
  training_data_version: Str,
  algorithm: Str,
  framework: Str,
  trainer: Str,
  git_commit: Str,
  changelog: Type.String(),
  created_at: Type.String(),
  created_by: Type.String(),
  artifact_sha256: Type.String(),
  manifest_sha256: Type.String(),
  files: Type.Array(
    Type.Object({ path: Type.String(), sha256: Type.String(), size: Type.Integer(), role: Type.String() }),
  ),
  aliases: Type.Array(Type.String()),
  lifecycle: LifecycleSchema,
  features: Type.Array(FeatureOutSchema),
  labels: Type.Optional(Type.Array(Type.String())),
  declared_metrics: Type.Record(Type.String(), Type.Number(), {
    description: 'offline metrics declared in the manifest',
  }),
  evaluations: Type.Array(
    Type.Object({
      id: Type.String(),
      created_at: Type.String(),
      created_by: Type.String(),
      data_sha256: Type.String(),
      data_name: Type.Union([Type.String(), Type.Null()]),
      rows: Type.Integer(),
      label_column: Type.String(),
      metrics: Type.Record(Type.String(), Num),
    }),
    { description: 'evaluations recorded by modelgate, newest first' },
  ),
  reference: Type.Union([
    Type.Null(),
    Type.Object({
      rows: Type.Integer(),
      data_sha256: Type.String(),
      features: Type.Array(
        Type.Object({
          name: Type.String(),
          kind: Type.Union([Type.Literal('numeric'), Type.Literal('category')]),
          missing_share: Type.Number(),
          min: Type.Optional(Num),
          max: Type.Optional(Num),
          ...Summary,
        }),
      ),
      prediction: Type.Object({
        kind: Type.Union([Type.Literal('numeric'), Type.Literal('category')]),
        ...Summary,
      }),
    }),
  ]),
  /** the deployment-readiness checklist at the time the card was drawn */
  readiness: Type.Optional(Type.Omit(ReadinessSchema, ['model', 'version'])),
});
export type ModelCardBody = Static<typeof ModelCardSchema>;
