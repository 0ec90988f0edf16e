import { Tensor } from 'onnxruntime-node';
import { shortestFloat32 } from './float32.js';
import { compileRowEncoder, type NumberArray } from './row-encoder.js';
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

/** Encodes the rows of one or more requests (in order) into one set of input tensors. */
export type InstanceEncoder = (groups: ReadonlyArray<readonly Row[]>) => Record<string, Tensor>;

/**
 * `encodeInstances` compiled for one version. An [N, F] matrix of float32, float64 or int32 is
 * written by generated code (row-encoder.ts) straight into one typed array, each request's rows
 * at their offset; other plans, and rows the generated check does not vouch for (it is stricter
 * than the validator at the edges), go through `encodeInstances`. Both write the same values.
 */
export function compileInstanceEncoder(plan: InputPlan, features: ResolvedFeature[]): InstanceEncoder {
  const generic: InstanceEncoder = (groups) =>
    encodeInstances(plan, features, groups.length === 1 ? (groups[0] as Row[]) : groups.flat());
  if (plan.kind !== 'matrix' || plan.tensorType === 'int64') return generic;
  const { input, tensorType, width } = plan;
  const write = compileRowEncoder(
    features,
    features.map(() => tensorType),
  );
  return (groups) => {
    let n = 0;
    for (const g of groups) n += g.length;
    const data = allocate(tensorType, n * width) as NumberArray;
    let start = 0;
    for (const g of groups) {
      if (!write(g, data, start)) return generic(groups);
      start += g.length;
    }
    return { [input]: new Tensor(tensorType, data, [n, width]) };
  };
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

/**
 * The inverse of `encodeInstances`: input tensors (as V2 inference sends them) back into records
 * in manifest feature order, so tensor traffic feeds the same drift windows as JSON records. NaN
 * becomes null; 1/0 become booleans for boolean features; an index into a category's string
 * `values` becomes the value (an index outside them stays a number: an unknown category).
 */
export function decodeInstances(
  plan: InputPlan,
  features: ResolvedFeature[],
  feeds: Readonly<Record<string, { data: unknown; dims: readonly number[] }>>,
): Row[] {
  // a float32 is read back as the shortest decimal that rounds to it (0.1, not 0.10000000149),
  // so a value equal to a reference bin edge taken from decimal data stays in the edge's bin
  const reader = (data: ArrayLike<unknown>, at: (r: number) => number) =>
    data instanceof Float32Array ? (r: number) => shortestFloat32(data[at(r)]!) : (r: number) => data[at(r)];
  const columnOf = (c: number): { read: (r: number) => unknown; rows: number } => {
    if (plan.kind === 'matrix') {
      const t = feeds[plan.input]!;
      return { read: reader(t.data as ArrayLike<unknown>, (r) => r * plan.width + c), rows: t.dims[0] ?? 0 };
    }
    const t = feeds[plan.columns[c]!.input]!;
    return { read: reader(t.data as ArrayLike<unknown>, (r) => r), rows: t.dims[0] ?? 0 };
  };
  const columns = features.map((f, c) => ({ name: f.name, decode: scalarDecoder(f), ...columnOf(c) }));
  const n = columns[0]?.rows ?? 0;
  const rows: Row[] = [];
  for (let r = 0; r < n; r++) {
    const row: Row = {};
    for (const col of columns) row[col.name] = col.decode(col.read(r));
    rows.push(row);
  }
  return rows;
}

function scalarDecoder(f: ResolvedFeature): (v: unknown) => unknown {
  const num = (v: unknown): number | null => {
    const n = typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : (v as number);
    return Number.isNaN(n) ? null : n;
  };
  if (f.type === 'boolean') return (v) => (typeof v === 'string' ? v : num(v) === null ? null : num(v) !== 0);
  if (f.type === 'category') {
    const byIndex = f.values?.some((x) => typeof x === 'string') ? f.values : undefined;
    return (v) => {
      if (typeof v === 'string') return v;
      const n = num(v);
      return byIndex && n !== null && Number.isInteger(n) && n >= 0 && n < byIndex.length ? byIndex[n] : n;
    };
  }
  return (v) => (typeof v === 'string' ? v : num(v));
}
