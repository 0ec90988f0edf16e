import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import { FEATURE_NAME_PATTERN, type Feature, type FeatureType } from '../registry/manifest.js';

export type TensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'string';
export type NumericTensorType = 'float32' | 'float64' | 'int64' | 'int32';

/** A feature with every optional field settled. */
export interface ResolvedFeature {
  name: string;
  type: FeatureType;
  min?: number;
  max?: number;
  values?: Array<string | number>;
  nullable: boolean;
  description?: string;
}

/**
 * How JSON records become input tensors: one [N, F] matrix holding every feature in manifest
 * order, or one [N] / [N, 1] input per feature, matched by name.
 */
export type InputPlan =
  | { kind: 'matrix'; input: string; tensorType: NumericTensorType; width: number }
  | { kind: 'columns'; columns: Array<{ input: string; tensorType: TensorType; rank: 1 | 2 }> };

export interface Signature {
  features: ResolvedFeature[];
  /** True when the manifest listed no features and they were read from the ONNX inputs. */
  inferred: boolean;
  plan: InputPlan;
}

type InputMeta = InferenceSession.ValueMetadata;

const NUMERIC: readonly string[] = ['float32', 'float64', 'int64', 'int32'];
const SUPPORTED: readonly string[] = [...NUMERIC, 'bool', 'string'];
const isFixed = (d: number | string | undefined): d is number => typeof d === 'number' && d >= 0;

export function resolveSignature(features: Feature[] | undefined, inputs: readonly InputMeta[]): Signature {
  const tensors = inputs.map(tensorInput);
  if (features === undefined) return inferSignature(tensors);
  const resolved = features.map(resolveFeature);
  const plan = planFor(resolved, tensors);
  checkCompatibility(resolved, plan);
  return { features: resolved, inferred: false, plan };
}

function resolveFeature(f: Feature): ResolvedFeature {
  return { ...f, nullable: f.nullable ?? false };
}

interface TensorInput {
  name: string;
  type: TensorType;
  shape: ReadonlyArray<number | string>;
}

function tensorInput(meta: InputMeta): TensorInput {
  if (!meta.isTensor) {
    throw new AppError(
      'ARTIFACT_INVALID',
      `input '${meta.name}' is not a tensor (sequences and maps are not supported)`,
    );
  }
  if (!SUPPORTED.includes(meta.type)) {
    throw new AppError(
      'ARTIFACT_INVALID',
      `input '${meta.name}' has element type ${meta.type}; supported: ${SUPPORTED.join(', ')}`,
    );
  }
  return { name: meta.name, type: meta.type as TensorType, shape: meta.shape };
}

const isColumn = (t: TensorInput) =>
  t.shape.length === 1 || (t.shape.length === 2 && !(isFixed(t.shape[1]) && t.shape[1] !== 1));

function planFor(features: ResolvedFeature[], tensors: TensorInput[]): InputPlan {
  const names = tensors.map((t) => `'${t.name}' ${t.type}[${t.shape.join(', ')}]`).join(', ');
  const only = tensors.length === 1 ? tensors[0] : undefined;
  if (
    only &&
    only.shape.length === 2 &&
    NUMERIC.includes(only.type) &&
    !(features.length > 1 && only.shape[1] === 1)
  ) {
    const width = only.shape[1];
    if (isFixed(width) && width !== features.length) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `input '${only.name}' has ${width} columns but the manifest lists ${features.length} features`,
      );
    }
    return {
      kind: 'matrix',
      input: only.name,
      tensorType: only.type as NumericTensorType,
      width: features.length,
    };
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const missing = features.filter((f) => !byName.has(f.name)).map((f) => f.name);
  if (tensors.length !== features.length || missing.length > 0) {
    throw new AppError(
      'ARTIFACT_INVALID',
      `the model's inputs (${names}) match neither one [N, ${features.length}] matrix nor one input per feature` +
        (missing.length > 0 ? `; no input is named ${missing.map((m) => `'${m}'`).join(', ')}` : ''),
    );
  }
  return {
    kind: 'columns',
    columns: features.map((f) => {
      const t = byName.get(f.name)!;
      if (!isColumn(t)) {
        throw new AppError(
          'ARTIFACT_INVALID',
          `input '${t.name}' must have shape [N] or [N, 1], has [${t.shape.join(', ')}]`,
        );
      }
      return { input: t.name, tensorType: t.type, rank: t.shape.length as 1 | 2 };
    }),
  };
}

function inferSignature(tensors: TensorInput[]): Signature {
  const only = tensors.length === 1 ? tensors[0] : undefined;
  if (
    only &&
    only.shape.length === 2 &&
    isFixed(only.shape[1]) &&
    only.shape[1] > 1 &&
    NUMERIC.includes(only.type)
  ) {
    const type: FeatureType = only.type.startsWith('float') ? 'number' : 'integer';
    const features = Array.from({ length: only.shape[1] }, (_, i) => ({
      name: `${only.name}_${i}`,
      type,
      nullable: false,
    }));
    return {
      features,
      inferred: true,
      plan: {
        kind: 'matrix',
        input: only.name,
        tensorType: only.type as NumericTensorType,
        width: features.length,
      },
    };
  }
  if (
    tensors.length > 0 &&
    tensors.every(isColumn) &&
    tensors.every((t) => new RegExp(FEATURE_NAME_PATTERN).test(t.name))
  ) {
    const features = tensors.map((t): ResolvedFeature => ({
      name: t.name,
      type: featureTypeOf(t.type),
      nullable: false,
    }));
    return {
      features,
      inferred: true,
      plan: {
        kind: 'columns',
        columns: tensors.map((t) => ({ input: t.name, tensorType: t.type, rank: t.shape.length as 1 | 2 })),
      },
    };
  }
  throw new AppError(
    'ARTIFACT_INVALID',
    `cannot infer features from the model's inputs (${tensors.map((t) => `'${t.name}' [${t.shape.join(', ')}]`).join(', ')}); list them under 'features' in the manifest`,
  );
}

function featureTypeOf(t: TensorType): FeatureType {
  if (t === 'float32' || t === 'float64') return 'number';
  if (t === 'bool') return 'boolean';
  if (t === 'string') return 'category';
  return 'integer';
}

/** Which tensor element types can carry each feature type. */
const ACCEPTS: Record<FeatureType, readonly TensorType[]> = {
  number: ['float32', 'float64'],
  integer: ['float32', 'float64', 'int64', 'int32'],
  boolean: ['bool', 'float32', 'float64', 'int64', 'int32'],
  category: ['string', 'float32', 'float64', 'int64', 'int32'],
};

function checkCompatibility(features: ResolvedFeature[], plan: InputPlan): void {
  features.forEach((f, i) => {
    const tensorType = plan.kind === 'matrix' ? plan.tensorType : plan.columns[i]!.tensorType;
    const where = plan.kind === 'matrix' ? `column ${i} of input '${plan.input}'` : `input '${f.name}'`;
    if (!ACCEPTS[f.type].includes(tensorType)) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `feature '${f.name}' is ${f.type} but ${where} holds ${tensorType}`,
      );
    }
    if (f.type === 'category' && tensorType !== 'string') {
      if (!f.values) {
        throw new AppError(
          'ARTIFACT_INVALID',
          `category feature '${f.name}' feeds numeric ${where}, so it needs 'values' (sent as their index)`,
        );
      }
      if (
        tensorType.startsWith('int') &&
        f.values.some((v) => typeof v === 'number' && !Number.isInteger(v))
      ) {
        throw new AppError(
          'ARTIFACT_INVALID',
          `category feature '${f.name}' has non-integer values but ${where} holds ${tensorType}`,
        );
      }
    }
    if (f.type === 'category' && tensorType === 'string' && f.values?.some((v) => typeof v !== 'string')) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `category feature '${f.name}' feeds a string input, so its values must be strings`,
      );
    }
  });
}
