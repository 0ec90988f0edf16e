/**
 * Reads just enough of an ONNX model (protobuf wire format, onnx.proto) to answer what ONNX
 * Runtime's API does not: which external data files the initializers reference, which class
 * labels a classifier node (or a ZipMap) declares, and whether a ZipMap is present. Weight
 * payloads are skipped by length, never copied, so inspecting a large model costs one pass over
 * its structure.
 */
export interface OnnxInspection {
  irVersion: number;
  producer: string;
  opsets: Array<{ domain: string; version: number }>;
  /** `location` of every tensor stored as external data, deduplicated, in first-seen order. */
  externalDataLocations: string[];
  /**
   * Class labels the graph declares: those of its classifier node (ai.onnx.ml), when there is
   * exactly one, else the keys of its ZipMap, when there is exactly one. Strings are class names;
   * numbers are class ids.
   */
  classLabels?: Array<string | number>;
  hasZipMap: boolean;
}

const CLASSIFIERS = new Set(['TreeEnsembleClassifier', 'LinearClassifier', 'SVMClassifier']);

export class OnnxFormatError extends Error {}

export function inspectOnnx(bytes: Uint8Array): OnnxInspection {
  const state = {
    locations: new Set<string>(),
    classifiers: [] as Array<Array<string | number>>,
    zipMaps: [] as Array<Array<string | number>>,
    hasZipMap: false,
  };
  const result: OnnxInspection = {
    irVersion: 0,
    producer: '',
    opsets: [],
    externalDataLocations: [],
    hasZipMap: false,
  };
  let sawGraph = false;
  for (const f of fields(bytes)) {
    if (f.no === 1 && f.wire === 0) result.irVersion = Number(f.varint);
    else if (f.no === 2 && f.wire === 2) result.producer = text(f.bytes!);
    else if (f.no === 8 && f.wire === 2) result.opsets.push(opset(f.bytes!));
    else if (f.no === 7 && f.wire === 2) {
      sawGraph = true;
      graph(f.bytes!, state, 0);
    } else if (f.no === 25 && f.wire === 2) func(f.bytes!, state, 0);
  }
  if (!sawGraph) throw new OnnxFormatError('the file is not an ONNX model (no graph found)');
  result.externalDataLocations = [...state.locations];
  result.hasZipMap = state.hasZipMap;
  if (state.classifiers.length === 1) result.classLabels = state.classifiers[0];
  else if (state.classifiers.length === 0 && state.zipMaps.length === 1)
    result.classLabels = state.zipMaps[0];
  return result;
}

interface Field {
  no: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

/** Iterates the top-level fields of one protobuf message. */
function* fields(buf: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new OnnxFormatError('invalid protobuf field number 0');
    if (wire === 0) {
      const [v, next] = readVarint(buf, pos);
      pos = next;
      yield { no, wire, varint: v };
    } else if (wire === 1) {
      pos += 8;
      yield { no, wire };
    } else if (wire === 5) {
      pos += 4;
      yield { no, wire };
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw new OnnxFormatError('truncated protobuf message');
      yield { no, wire, bytes: buf.subarray(next, end) };
      pos = end;
    } else {
      throw new OnnxFormatError(`unsupported protobuf wire type ${wire}`);
    }
    if (pos > buf.length) throw new OnnxFormatError('truncated protobuf message');
  }
}

function readVarint(buf: Uint8Array, start: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  let pos = start;
  for (;;) {
    if (pos >= buf.length || shift > 63n) throw new OnnxFormatError('malformed protobuf varint');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

const decoder = new TextDecoder();
const text = (b: Uint8Array): string => decoder.decode(b);
const toSigned = (v: bigint): number => Number(BigInt.asIntN(64, v));

function opset(buf: Uint8Array): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) domain = text(f.bytes);
    if (f.no === 2 && f.varint !== undefined) version = Number(f.varint);
  }
  return { domain, version };
}

type State = {
  locations: Set<string>;
  classifiers: Array<Array<string | number>>;
  zipMaps: Array<Array<string | number>>;
  hasZipMap: boolean;
};
const MAX_DEPTH = 64;

function graph(buf: Uint8Array, state: State, depth: number): void {
  if (depth > MAX_DEPTH) throw new OnnxFormatError('subgraphs nest too deeply');
  for (const f of fields(buf)) {
    if (!f.bytes) continue;
    if (f.no === 1) node(f.bytes, state, depth);
    else if (f.no === 5) tensor(f.bytes, state);
    else if (f.no === 15) sparseTensor(f.bytes, state);
  }
}

function func(buf: Uint8Array, state: State, depth: number): void {
  for (const f of fields(buf)) if (f.no === 7 && f.bytes) node(f.bytes, state, depth);
}

function node(buf: Uint8Array, state: State, depth: number): void {
  let opType = '';
  const attributes: Uint8Array[] = [];
  for (const f of fields(buf)) {
    if (f.no === 4 && f.bytes) opType = text(f.bytes);
    else if (f.no === 5 && f.bytes) attributes.push(f.bytes);
  }
  if (opType === 'ZipMap') state.hasZipMap = true;
  let labels: Array<string | number> | undefined;
  for (const a of attributes) {
    const found = attribute(a, state, depth);
    if (found) labels = found;
  }
  if (CLASSIFIERS.has(opType) && labels) state.classifiers.push(labels);
  if (opType === 'ZipMap' && labels) state.zipMaps.push(labels);
}

/** Walks tensors and subgraphs held by an attribute; returns class labels if it is a classlabels_* one. */
function attribute(buf: Uint8Array, state: State, depth: number): Array<string | number> | undefined {
  let name = '';
  const ints: number[] = [];
  const strings: string[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) name = text(f.bytes);
    else if (f.no === 5 && f.bytes) tensor(f.bytes, state);
    else if (f.no === 10 && f.bytes) tensor(f.bytes, state);
    else if ((f.no === 6 || f.no === 11) && f.bytes) graph(f.bytes, state, depth + 1);
    else if ((f.no === 22 || f.no === 23) && f.bytes) sparseTensor(f.bytes, state);
    else if (f.no === 9 && f.bytes) strings.push(text(f.bytes));
    else if (f.no === 8 && f.varint !== undefined) ints.push(toSigned(f.varint));
    else if (f.no === 8 && f.bytes) {
      let pos = 0;
      while (pos < f.bytes.length) {
        const [v, next] = readVarint(f.bytes, pos);
        ints.push(toSigned(v));
        pos = next;
      }
    }
  }
  if (name === 'classlabels_strings' && strings.length > 0) return strings;
  if ((name === 'classlabels_int64s' || name === 'classlabels_ints') && ints.length > 0) return ints;
  return undefined;
}

function tensor(buf: Uint8Array, state: State): void {
  let external = false;
  let location: string | undefined;
  for (const f of fields(buf)) {
    if (f.no === 14 && f.varint === 1n) external = true;
    else if (f.no === 13 && f.bytes) {
      let key = '';
      let value = '';
      for (const e of fields(f.bytes)) {
        if (e.no === 1 && e.bytes) key = text(e.bytes);
        if (e.no === 2 && e.bytes) value = text(e.bytes);
      }
      if (key === 'location') location = value;
    }
  }
  if (external) {
    if (location === undefined)
      throw new OnnxFormatError('a tensor is marked external but names no location');
    state.locations.add(location);
  }
}

function sparseTensor(buf: Uint8Array, state: State): void {
  for (const f of fields(buf)) if ((f.no === 1 || f.no === 2) && f.bytes) tensor(f.bytes, state);
}
