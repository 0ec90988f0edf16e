import { Type, type Static } from '@sinclair/typebox';
import { DRIFT_VERDICTS } from '../modules/monitoring/drift-assessment.js';
import { VersionParam } from './schemas.js';

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
  { format: Type.Union([Type.Literal('markdown'), Type.Literal('html')], { default: 'markdown' }) },
  { additionalProperties: false },
);
