import { Tensor } from 'onnxruntime-node';
import type { InputPlan, ResolvedFeature, TensorType } from './signature.js';

type Row = Record<string, unknown>;

/**
 * Turns validated JSON records into input tensors, in manifest feature order. Booleans become 1/0
 * in numeric tensors; a category value that feeds a numeric tensor is sent as itself when it is
 * a number and as its index in `values` when it is a string; null (nullable numbers) is NaN.
 */
export function encodeInstances(
  plan: InputPlan,
  features: ResolvedFeature[],
  rows: Row[],
): Record<string, Tensor> {
  const n = rows.length;
  if (plan.kind === 'matrix') {
    const width = plan.width;
    const data = allocate(plan.tensorType, n * width);
    const toValue = features.map((f) => scalarEncoder(f, plan.tensorType));
    for (let r = 0; r < n; r++) {
      const row = rows[r]!;
      for (let c = 0; c < width; c++) {
        (data as unknown as unknown[])[r * width + c] = toValue[c]!(row[features[c]!.name]);
      }
    }
    return { [plan.input]: new Tensor(plan.tensorType, data, [n, width]) };
  }
  const feeds: Record<string, Tensor> = {};
  plan.columns.forEach((col, c) => {
    const f = features[c]!;
    const toValue = scalarEncoder(f, col.tensorType);
    const data = allocate(col.tensorType, n);
    for (let r = 0; r < n; r++) (data as unknown as unknown[])[r] = toValue(rows[r]![f.name]);
    feeds[col.input] = new Tensor(col.tensorType, data, col.rank === 1 ? [n] : [n, 1]);
  });
  return feeds;
}

type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];

function allocate(type: TensorType, size: number): TensorData {
  switch (type) {
    case 'float32':
      return new Float32Array(size);
    case 'float64':
      return new Float64Array(size);
    case 'int64':
      return new BigInt64Array(size);
    case 'int32':
      return new Int32Array(size);
    case 'bool':
      return new Uint8Array(size);
    case 'string':
      return new Array<string>(size);
  }
}

function scalarEncoder(f: ResolvedFeature, type: TensorType): (v: unknown) => unknown {
  const numeric = (v: unknown): number => {
    if (v === null || v === undefined) return NaN;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'string') return f.values ? f.values.indexOf(v) : NaN;
    return v as number;
  };
  if (type === 'string') return (v) => String(v);
  if (type === 'int64') return (v) => BigInt(numeric(v));
  return numeric;
}
