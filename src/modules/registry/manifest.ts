import { Type, type Static } from '@sinclair/typebox';

/** Tasks a model version can declare; each maps to one prediction shape. */
export const TASKS = ['binary-classification', 'multiclass-classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

export const FEATURE_TYPES = ['number', 'integer', 'boolean', 'category'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

export const MODEL_NAME_PATTERN = '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$';
export const FEATURE_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$';

const Text = (maxLength = 10_000) => Type.String({ maxLength });

export const FeatureSchema = Type.Object(
  {
    name: Type.String({ pattern: FEATURE_NAME_PATTERN }),
    type: Type.Union(FEATURE_TYPES.map((t) => Type.Literal(t))),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    values: Type.Optional(
      Type.Array(Type.Union([Type.String({ maxLength: 1024 }), Type.Number()]), {
        minItems: 1,
        maxItems: 10_000,
      }),
    ),
    nullable: Type.Optional(Type.Boolean()),
    description: Type.Optional(Text(2000)),
  },
  { additionalProperties: false },
);
export type Feature = Static<typeof FeatureSchema>;

/** A class id as a key of `outputs.labels` written as a map (`{0: malignant, 1: benign}`). */
export const CLASS_ID_PATTERN = '^-?(0|[1-9][0-9]{0,14})$';

/**
 * `labels` names the classes: a list (in the graph's class order, or the score columns' order when
 * the graph names none), or a map from class id (or column index) to name. docs/manifest.md.
 */
export const OutputsSchema = Type.Object(
  {
    labels: Type.Optional(
      Type.Union(
        [
          Type.Array(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Number()]), {
            minItems: 2,
            maxItems: 10_000,
          }),
          Type.Record(
            Type.String({ pattern: CLASS_ID_PATTERN }),
            Type.String({ minLength: 1, maxLength: 256 }),
            {
              minProperties: 2,
              maxProperties: 10_000,
              additionalProperties: false,
            },
          ),
        ],
        {
          expected: 'a list of at least 2 class names, or a map of at least 2 class ids (integers) to names',
        },
      ),
    ),
    positive_label: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Number()])),
    threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    label_output: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    scores_output: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    value_output: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type Outputs = Static<typeof OutputsSchema>;
export type DeclaredLabels = NonNullable<Outputs['labels']>;

/** The class names a manifest declares, in its own order (a map's names by ascending id). */
export function declaredLabelNames(labels: DeclaredLabels): string[] {
  if (Array.isArray(labels)) return labels.map(String);
  return Object.entries(labels)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, name]) => name);
}

export const SmokeTestSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    input: Type.Record(Type.String(), Type.Unknown()),
    expected: Type.Object(
      {
        label: Type.Optional(Type.Union([Type.String(), Type.Number()])),
        probabilities: Type.Optional(Type.Record(Type.String(), Type.Number())),
        value: Type.Optional(Type.Number()),
      },
      { additionalProperties: false },
    ),
    tolerance: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type SmokeTest = Static<typeof SmokeTestSchema>;

/**
 * What a model version declares about itself (DESIGN.md §3). Keys are snake_case as written in
 * the YAML/JSON file; unknown keys are refused so a typo never silently drops a setting.
 */
export const ManifestSchema = Type.Object(
  {
    name: Type.String({ pattern: MODEL_NAME_PATTERN }),
    version: Type.String({ maxLength: 128 }),
    task: Type.Union(TASKS.map((t) => Type.Literal(t))),
    artifact: Type.String({ minLength: 1, maxLength: 512 }),
    external_data: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 64 })),
    changelog: Type.String({ minLength: 1, maxLength: 10_000 }),
    description: Type.Optional(Text()),
    algorithm: Type.Optional(Text(200)),
    framework: Type.Optional(Text(200)),
    training_data_version: Type.Optional(Text(500)),
    git_commit: Type.Optional(Text(100)),
    trainer: Type.Optional(Text(200)),
    features: Type.Optional(Type.Array(FeatureSchema, { minItems: 1, maxItems: 10_000 })),
    outputs: Type.Optional(OutputsSchema),
    metrics: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Number())),
    smoke_tests: Type.Optional(Type.Array(SmokeTestSchema, { maxItems: 100 })),
    intended_use: Type.Optional(Text()),
    limitations: Type.Optional(Text()),
    ethical_considerations: Type.Optional(Text()),
    reference_data: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    batching: Type.Optional(
      Type.Object(
        {
          max_rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          max_wait_ms: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Manifest = Static<typeof ManifestSchema>;
