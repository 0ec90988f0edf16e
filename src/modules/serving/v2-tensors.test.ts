import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tensor } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import { decodeInputs, encodeOutput, type V2TensorMetadata } from './v2-tensors.js';

const declared = (name: string, datatype: string, shape: number[] = [-1, 2]): V2TensorMetadata[] => [
  { name, datatype, shape },
];
const decode = (datatype: string, data: unknown[], shape = [1, 2]) =>
  decodeInputs([{ name: 'x', datatype, shape, data }], declared('x', datatype))['x'] as Tensor;

describe('V2 tensors ↔ ONNX Runtime', () => {
  it('decodes every supported datatype into the matching typed tensor', () => {
    const cases: Array<[string, unknown[], string, unknown[]]> = [
      ['BOOL', [true, false], 'bool', [1, 0]],
      ['UINT8', [0, 255], 'uint8', [0, 255]],
      ['UINT16', [0, 65535], 'uint16', [0, 65535]],
      ['UINT32', [0, 4294967295], 'uint32', [0, 4294967295]],
      ['UINT64', [0, 2 ** 53 - 1], 'uint64', [0n, BigInt(2 ** 53 - 1)]],
      ['INT8', [-128, 127], 'int8', [-128, 127]],
      ['INT16', [-32768, 32767], 'int16', [-32768, 32767]],
      ['INT32', [-2147483648, 2147483647], 'int32', [-2147483648, 2147483647]],
      ['INT64', [-(2 ** 53 - 1), 42], 'int64', [BigInt(-(2 ** 53 - 1)), 42n]],
      ['FP32', [0.5, -1.25], 'float32', [0.5, -1.25]],
      ['FP64', [0.1, 1e300], 'float64', [0.1, 1e300]],
      ['BYTES', ['a', 'ß'], 'string', ['a', 'ß']],
    ];
    for (const [v2, data, ortType, expected] of cases) {
      const t = decode(v2, data);
      assert.equal(t.type, ortType, v2);
      assert.deepEqual([...t.dims], [1, 2], v2);
      assert.deepEqual(Array.from(t.data as ArrayLike<unknown>), expected, v2);
    }
  });

  it('accepts nested data that follows the shape, row-major', () => {
    const t = decodeInputs(
      [
        {
          name: 'x',
          datatype: 'INT32',
          shape: [2, 2],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
      declared('x', 'INT32'),
    )['x'] as Tensor;
    assert.deepEqual(Array.from(t.data as Int32Array), [1, 2, 3, 4]);
  });

  it('refuses what does not fit, as V2_BAD_REQUEST with a message naming the element', () => {
    const cases: Array<[string, unknown[], number[], RegExp]> = [
      ['UINT8', [256, 0], [1, 2], /element 0 must be an integer in \[0, 255\] \(uint8\)/],
      ['INT8', [1.5, 0], [1, 2], /element 0 must be an integer in \[-128, 127\]/],
      [
        'INT64',
        [2 ** 53, 0],
        [1, 2],
        /element 0 must be an integer in \[-9007199254740991, 9007199254740991\]/,
      ],
      ['BOOL', [1, 0], [1, 2], /element 0 must be true or false \(BOOL\)/],
      ['BYTES', ['a', 1], [1, 2], /element 1 must be a string \(BYTES\)/],
      ['FP32', ['1', 2], [1, 2], /element 0 must be a finite number/],
      ['FP32', [1, 2, 3], [1, 2], /shape \[1,2\] needs 2 elements, data has 3/],
      ['FP32', [[1, 2], [3]], [2, 2], /nested data does not match the shape \[2,2\] at depth 1/],
      ['FP16', [1, 2], [1, 2], /datatype FP16 is not supported/],
    ];
    for (const [datatype, data, shape, message] of cases) {
      assert.throws(
        () => decodeInputs([{ name: 'x', datatype, shape, data }], [{ name: 'x', datatype, shape: [-1, 2] }]),
        (err: unknown) =>
          err instanceof AppError && err.code === 'V2_BAD_REQUEST' && message.test(err.detail),
        `${datatype} ${JSON.stringify(data)}`,
      );
    }
    assert.throws(
      () => decodeInputs([], declared('x', 'FP32')),
      (err: unknown) => err instanceof AppError && /missing input x/.test(err.detail),
    );
  });

  it('encodes outputs as flat row-major data, 64-bit integers as numbers and booleans as booleans', () => {
    assert.deepEqual(encodeOutput('y', new Tensor('int64', BigInt64Array.from([1n, -2n]), [2])), {
      name: 'y',
      datatype: 'INT64',
      shape: [2],
      data: [1, -2],
    });
    assert.deepEqual(encodeOutput('b', new Tensor('bool', Uint8Array.from([1, 0]), [1, 2])).data, [
      true,
      false,
    ]);
    assert.deepEqual(encodeOutput('p', new Tensor('float32', Float32Array.from([0.5, 0.25]), [1, 2])), {
      name: 'p',
      datatype: 'FP32',
      shape: [1, 2],
      data: [0.5, 0.25],
    });
  });
});
