import { Tensor, type InferenceSession, type OnnxValue } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';

/** Open Inference Protocol datatypes ↔ ONNX Runtime tensor types (the ones both support). */
export const V2_TO_ORT = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
  BYTES: 'string',
} as const;
export type V2Datatype = keyof typeof V2_TO_ORT;
const ORT_TO_V2 = Object.fromEntries(Object.entries(V2_TO_ORT).map(([v2, ort]) => [ort, v2])) as Record<
  string,
  V2Datatype
>;

export interface V2TensorMetadata {
  name: string;
  datatype: string;
  /** -1 for a dimension of any size */
  shape: number[];
}

export function v2Metadata(meta: readonly InferenceSession.ValueMetadata[]): V2TensorMetadata[] {
  return meta
    .filter((m) => m.isTensor)
    .map((m) => {
      const t = m;
      return {
        name: t.name,
        datatype: ORT_TO_V2[t.type] ?? t.type.toUpperCase(),
        shape: t.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)),
      };
    });
}

export interface V2InputTensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
}

const bad = (detail: string) => new AppError('V2_BAD_REQUEST', detail);

const INT_RANGES: Record<string, [number, number]> = {
  uint8: [0, 255],
  uint16: [0, 65_535],
  uint32: [0, 4_294_967_295],
  int8: [-128, 127],
  int16: [-32_768, 32_767],
  int32: [-2_147_483_648, 2_147_483_647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** Row-major `data`, flat or nested; nested data must follow `shape` exactly. */
function flatten(data: unknown, shape: number[], name: string): unknown[] {
  if (!Array.isArray(data)) throw bad(`input '${name}': data must be an array`);
  if (!data.some((d) => Array.isArray(d))) return data;
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth === shape.length) {
      if (Array.isArray(node))
        throw bad(`input '${name}': nested data is deeper than the shape ${JSON.stringify(shape)}`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw bad(
        `input '${name}': nested data does not match the shape ${JSON.stringify(shape)} at depth ${depth}`,
      );
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(data, 0);
  return out;
}

/** V2 request inputs → ORT feeds, each checked against the model's declared input. */
export function decodeInputs(
  inputs: V2InputTensor[],
  declared: V2TensorMetadata[],
): Record<string, OnnxValue> {
  const feeds: Record<string, OnnxValue> = {};
  for (const input of inputs) {
    const d = declared.find((x) => x.name === input.name);
    if (!d)
      throw bad(
        `unexpected input '${input.name}'; the model's inputs are ${declared.map((x) => x.name).join(', ')}`,
      );
    if (feeds[input.name]) throw bad(`input '${input.name}' appears twice`);
    if (input.datatype !== d.datatype)
      throw bad(`input '${input.name}' has datatype ${input.datatype}; the model expects ${d.datatype}`);
    const ortType = V2_TO_ORT[input.datatype as V2Datatype];
    if (!ortType) throw bad(`datatype ${input.datatype} is not supported`);
    if (
      input.shape.length !== d.shape.length ||
      input.shape.some((n, i) => d.shape[i] !== -1 && d.shape[i] !== n)
    ) {
      throw bad(
        `input '${input.name}' has shape ${JSON.stringify(input.shape)}; the model expects ${JSON.stringify(d.shape)} (-1: any size)`,
      );
    }
    const flat = flatten(input.data, input.shape, input.name);
    const size = input.shape.reduce((a, b) => a * b, 1);
    if (flat.length !== size)
      throw bad(
        `input '${input.name}': shape ${JSON.stringify(input.shape)} needs ${size} elements, data has ${flat.length}`,
      );
    feeds[input.name] = toTensor(ortType, flat, input.shape, input.name);
  }
  const missing = declared.filter((x) => !feeds[x.name]).map((x) => x.name);
  if (missing.length > 0) throw bad(`missing input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  return feeds;
}

function toTensor(type: string, flat: unknown[], shape: number[], name: string): Tensor {
  const at = (i: number) => `input '${name}' element ${i}`;
  if (type === 'string') {
    flat.forEach((v, i) => {
      if (typeof v !== 'string') throw bad(`${at(i)} must be a string (BYTES)`);
    });
    return new Tensor('string', flat as string[], shape);
  }
  if (type === 'bool') {
    return new Tensor(
      'bool',
      Uint8Array.from(flat, (v, i) => {
        if (typeof v !== 'boolean') throw bad(`${at(i)} must be true or false (BOOL)`);
        return v ? 1 : 0;
      }),
      shape,
    );
  }
  const numbers = flat.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${at(i)} must be a finite number`);
    const range = INT_RANGES[type];
    if (range && (!Number.isInteger(v) || v < range[0] || v > range[1]))
      throw bad(`${at(i)} must be an integer in [${range[0]}, ${range[1]}] (${type})`);
    return v;
  });
  switch (type) {
    case 'float32':
      return new Tensor('float32', Float32Array.from(numbers), shape);
    case 'float64':
      return new Tensor('float64', Float64Array.from(numbers), shape);
    case 'int8':
      return new Tensor('int8', Int8Array.from(numbers), shape);
    case 'uint8':
      return new Tensor('uint8', Uint8Array.from(numbers), shape);
    case 'int16':
      return new Tensor('int16', Int16Array.from(numbers), shape);
    case 'uint16':
      return new Tensor('uint16', Uint16Array.from(numbers), shape);
    case 'int32':
      return new Tensor('int32', Int32Array.from(numbers), shape);
    case 'uint32':
      return new Tensor('uint32', Uint32Array.from(numbers), shape);
    case 'int64':
      return new Tensor(
        'int64',
        BigInt64Array.from(numbers, (n) => BigInt(n)),
        shape,
      );
    case 'uint64':
      return new Tensor(
        'uint64',
        BigUint64Array.from(numbers, (n) => BigInt(n)),
        shape,
      );
    default:
      throw bad(`datatype of input '${name}' is not supported`);
  }
}

/** ORT output → V2 output tensor (flat row-major data). */
export function encodeOutput(
  name: string,
  value: OnnxValue,
): { name: string; shape: number[]; datatype: string; data: unknown[] } {
  if (!(value instanceof Tensor))
    throw bad(`output '${name}' is not a tensor and cannot be returned by the V2 protocol`);
  const datatype = ORT_TO_V2[value.type];
  if (!datatype) throw bad(`output '${name}' has type ${value.type}, which the V2 protocol cannot carry`);
  const data =
    value.type === 'bool'
      ? Array.from(value.data as Uint8Array, (v) => v !== 0)
      : value.type === 'int64' || value.type === 'uint64'
        ? Array.from(value.data as BigInt64Array, (v) => Number(v))
        : Array.from(value.data as ArrayLike<unknown>);
  // the response schema's order: the route writes this object with JSON.stringify
  return { name, shape: [...value.dims], datatype, data };
}
