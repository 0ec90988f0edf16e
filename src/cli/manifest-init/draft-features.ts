import type { InferenceSession } from 'onnxruntime-node';
import { ModelgateLocalError } from '../../client/local-files.js';
import { FEATURE_NAME_PATTERN, type Feature } from '../../modules/registry/manifest.js';
import { resolveSignature } from '../../modules/serving/signature.js';
import type { ColumnProfile, CsvProfile } from './csv-profile.js';

/** A feature as the draft writes it, with what the sample showed (comments, not constraints). */
export interface DraftFeature {
  feature: Feature;
  /** observed range of a numeric column, written as commented-out min/max */
  observed?: { min: number; max: number; file: string };
  /** one comment line above the feature */
  note?: string;
}

export interface DraftedFeatures {
  features: DraftFeature[];
  /** where the features come from, for the comment above `features:` */
  source: string;
  /** CSV columns that are not features (other than the excluded ones) */
  ignored: string[];
}

const NAME = new RegExp(FEATURE_NAME_PATTERN);

/**
 * The features of a model: what the server would infer from its inputs (one [N, F] matrix, or one
 * input per feature), named and described by a sample CSV when one is given. The types follow the
 * tensors (a float input is a number even when the sample holds only whole numbers), so the draft
 * never refuses values the model accepts.
 */
export function draftFeatures(
  inputs: readonly InferenceSession.ValueMetadata[],
  csv: CsvProfile | undefined,
  exclude: ReadonlySet<string>,
): DraftedFeatures {
  const only = inputs.length === 1 ? inputs[0] : undefined;
  const matrix =
    only?.isTensor === true && only.shape.length === 2 && only.shape[1] !== 1 && only.type !== 'string';
  if (matrix && csv) return matrixFromCsv(only, csv, exclude);
  const signature = resolveSignature(undefined, inputs);
  const byName = new Map((csv?.columns ?? []).map((c) => [c.name, c]));
  const features = signature.features.map((f): DraftFeature => {
    const column = signature.plan.kind === 'columns' ? byName.get(f.name) : undefined;
    return withObservation({ name: f.name, type: f.type, nullable: false }, column, csv);
  });
  const used = new Set(features.map((f) => f.feature.name));
  return {
    features,
    source:
      signature.plan.kind === 'matrix'
        ? `are named after the ONNX input '${signature.plan.input}' (${signature.plan.width} columns): rename them to your column names, in the model's column order`
        : `are one per ONNX input${csv ? `, described by ${csv.file}` : ''}`,
    ignored: (csv?.columns ?? []).map((c) => c.name).filter((n) => !used.has(n) && !exclude.has(n)),
  };
}

function matrixFromCsv(
  input: InferenceSession.ValueMetadata & { isTensor: true },
  csv: CsvProfile,
  exclude: ReadonlySet<string>,
): DraftedFeatures {
  const columns = csv.columns.filter((c) => !exclude.has(c.name));
  const width = input.shape[1];
  if (typeof width === 'number' && width !== columns.length) {
    const skipped = exclude.size > 0 ? ` besides ${[...exclude].join(', ')}` : '';
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${csv.file} has ${columns.length} columns${skipped} but the model's input '${input.name}' takes ${width}: the CSV must hold exactly the model's features, in its column order (name the label column with --labels-from)`,
      csv.file,
    );
  }
  const bad = columns.find((c) => !NAME.test(c.name));
  if (bad)
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${csv.file}: column '${bad.name}' is not a valid feature name (${FEATURE_NAME_PATTERN})`,
      csv.file,
    );
  const type = input.type.startsWith('float') ? 'number' : 'integer';
  return {
    features: columns.map((c) => withObservation({ name: c.name, type, nullable: false }, c, csv)),
    source: `are the columns of ${csv.file}, in its order, as the columns of the ONNX input '${input.name}'`,
    ignored: [],
  };
}

function withObservation(
  feature: Feature,
  column: ColumnProfile | undefined,
  csv: CsvProfile | undefined,
): DraftFeature {
  if (!column || !csv) return { feature };
  const numeric = feature.type === 'number' || feature.type === 'integer';
  const draft: DraftFeature = { feature };
  if (column.missing > 0 && feature.type === 'number') {
    feature.nullable = true;
    draft.note = `${column.missing} of ${column.missing + column.present} rows of ${csv.file} have no value: null reaches the model as NaN`;
  }
  if (numeric && column.numeric && column.min !== undefined && column.max !== undefined)
    draft.observed = { min: column.min, max: column.max, file: csv.file };
  if (feature.type === 'category') {
    if (column.distinct && column.distinct.length > 0) {
      feature.values = column.distinct;
      draft.note = `the ${column.distinct.length} values seen in ${csv.file}; any other value is refused`;
    } else draft.note = `more than 1000 distinct values in ${csv.file}: any string is accepted`;
  }
  return draft;
}
