// Writes small ONNX models from scratch (protobuf wire format, onnx.proto field numbers), so a
// test can use a model the project does not ship and no Python toolchain built.

type Bytes = number[];

const varint = (n: number | bigint): Bytes => {
  let v = BigInt(n);
  const out: Bytes = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number): Bytes => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: Bytes): Bytes => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string): Bytes => bytes(field, [...Buffer.from(s, 'utf8')]);
const floats = (field: number, xs: number[]): Bytes => {
  const buf = Buffer.alloc(4 * xs.length);
  xs.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return bytes(field, [...buf]);
};
const packedInts = (field: number, xs: number[]): Bytes =>
  bytes(
    field,
    xs.flatMap((x) => varint(x)),
  );

const FLOAT = 1;

/** ValueInfoProto of a float tensor; a string dimension is symbolic (the batch). */
function valueInfo(name: string, dims: Array<number | string>): Bytes {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  const tensor = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensor))];
}

function node(op: string, inputs: string[], outputs: string[], attrs: Array<[string, number]> = []): Bytes {
  return [
    ...inputs.flatMap((i) => str(1, i)),
    ...outputs.flatMap((o) => str(2, o)),
    ...str(3, `${op}_${outputs[0]}`),
    ...str(4, op),
    // AttributeProto: name (1), i (3), type (20) = INT (2)
    ...attrs.flatMap(([name, i]) => bytes(5, [...str(1, name), ...int(3, i), ...int(20, 2)])),
  ];
}

function initializer(name: string, dims: number[], values: number[]): Bytes {
  return [...packedInts(1, dims), ...int(2, FLOAT), ...floats(4, values), ...str(8, name)];
}

/**
 * A logistic classifier in plain ONNX operators, PyTorch-style: one float input [N, 1] per
 * feature, Concat → MatMul → Add → Softmax, output `probs` [N, classes], no class names in the
 * graph. `weights[f][c]` is feature f's weight for class c.
 */
export function softmaxClassifier(features: string[], weights: number[][], bias: number[]): Uint8Array {
  const classes = bias.length;
  const graph = [
    ...bytes(1, node('Concat', features, ['x'], [['axis', 1]])),
    ...bytes(1, node('MatMul', ['x', 'W'], ['xw'])),
    ...bytes(1, node('Add', ['xw', 'b'], ['logits'])),
    ...bytes(1, node('Softmax', ['logits'], ['probs'], [['axis', 1]])),
    ...str(2, 'holdout'),
    ...bytes(5, initializer('W', [features.length, classes], weights.flat())),
    ...bytes(5, initializer('b', [classes], bias)),
    ...features.flatMap((f) => bytes(11, valueInfo(f, ['N', 1]))),
    ...bytes(12, valueInfo('probs', ['N', classes])),
  ];
  const model = [
    ...int(1, 8),
    ...str(2, 'holdout-test'),
    ...bytes(7, graph),
    ...bytes(8, [...str(1, ''), ...int(2, 13)]),
  ];
  return Uint8Array.from(model);
}
