import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InferenceSession, OnnxValue } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import type { Manifest } from '../registry/manifest.js';
import type { OnnxInspection } from './onnx-inspect.js';
import { decodeOutputs, planOutputs } from './output-plan.js';

type Meta = InferenceSession.ValueMetadata;
const tensor = (name: string, type: string, shape: Array<number | string>): Meta =>
  ({ name, isTensor: true, type, shape }) as Meta;

const IRIS = ['setosa', 'versicolor', 'virginica'];

/** A classifier with a label output and a [N, k] score output, as ONNX Runtime describes it. */
function plan(
  labels: unknown,
  classLabels: Array<string | number> | undefined,
  k: number,
  extra: Partial<NonNullable<Manifest['outputs']>> = {},
  task: Manifest['task'] = k === 2 ? 'binary-classification' : 'multiclass-classification',
) {
  const manifest = {
    name: 'm',
    version: '1.0.0',
    task,
    artifact: 'model.onnx',
    changelog: 'x',
    outputs: { ...(labels !== undefined ? { labels } : {}), ...extra },
  } as Manifest;
  const labelType = classLabels && typeof classLabels[0] === 'string' ? 'string' : 'int64';
  const outputs = [
    ...(classLabels ? [tensor('label', labelType, ['N'])] : []),
    tensor('probabilities', 'float32', ['N', k]),
  ];
  const inspection: OnnxInspection = {
    irVersion: 8,
    producer: 'test',
    opsets: [],
    externalDataLocations: [],
    hasZipMap: false,
    ...(classLabels ? { classLabels } : {}),
  };
  const probe = {
    label: { dims: [1] },
    probabilities: { dims: [1, k] },
  } as unknown as Record<string, OnnxValue>;
  const p = planOutputs(manifest, outputs, inspection, probe);
  assert.equal(p.kind, 'classification');
  return p;
}

const refused = (fn: () => unknown, detail: RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, 'ARTIFACT_INVALID');
    assert.match(err.detail, detail);
    return true;
  });

describe('planOutputs: class labels', () => {
  describe('a graph with string class labels (classlabels_strings, ZipMap keys)', () => {
    it('takes the manifest labels when they are the same list in the same order', () => {
      assert.deepEqual(plan(IRIS, IRIS, 3).labels, IRIS);
    });

    it('takes the graph labels when the manifest has none', () => {
      assert.deepEqual(plan(undefined, IRIS, 3).labels, IRIS);
    });

    const wrong: Array<[string, unknown, RegExp]> = [
      [
        'the same classes in another order',
        ['virginica', 'versicolor', 'setosa'],
        /outputs\.labels \[virginica, versicolor, setosa\] .*\[setosa, versicolor, virginica\]/,
      ],
      [
        'other names',
        ['Iris-setosa', 'Iris-versicolor', 'Iris-virginica'],
        /\[Iris-setosa, Iris-versicolor, Iris-virginica\] .*\[setosa, versicolor, virginica\]/,
      ],
      ['a map from index to name', { 0: 'setosa', 1: 'versicolor', 2: 'virginica' }, /names its classes/],
    ];
    for (const [name, labels, detail] of wrong) {
      it(`refuses ${name}, naming both lists`, () => refused(() => plan(labels, IRIS, 3), detail));
    }
  });

  describe('a graph with integer class ids (classlabels_int64s)', () => {
    it('takes a list as display names of the ids in the graph order', () => {
      const p = plan(['malignant', 'benign'], [0, 1], 2);
      assert.deepEqual(p.labels, ['malignant', 'benign']);
      assert.deepEqual(p.classValues, [0, 1]);
    });

    it('takes a map from id to name, whatever the order of its keys', () => {
      assert.deepEqual(plan({ 0: 'malignant', 1: 'benign' }, [0, 1], 2).labels, ['malignant', 'benign']);
      assert.deepEqual(plan({ 1: 'benign', 0: 'malignant' }, [0, 1], 2).labels, ['malignant', 'benign']);
      assert.deepEqual(plan({ 7: 'c', 2: 'a', 5: 'b' }, [2, 5, 7], 3).labels, ['a', 'b', 'c']);
    });

    it('answers the map names for the label output and the scores', () => {
      const p = plan({ 1: 'benign', 0: 'malignant' }, [0, 1], 2, {
        positive_label: 'malignant',
        threshold: 0.5,
      });
      assert.deepEqual(p.positive, { index: 0, threshold: 0.5 });
      const out = {
        label: { dims: [2], data: new BigInt64Array([0n, 1n]), type: 'int64' },
        probabilities: { dims: [2, 2], data: new Float32Array([0.75, 0.25, 0.125, 0.875]), type: 'float32' },
      } as unknown as Record<string, OnnxValue>;
      assert.deepEqual(decodeOutputs(p, out, 2), [
        { label: 'malignant', probabilities: { malignant: 0.75, benign: 0.25 } },
        { label: 'benign', probabilities: { malignant: 0.125, benign: 0.875 } },
      ]);
    });

    it('refuses to answer a NaN or infinite score: the version failed, it did not predict null', () => {
      const p = plan({ 1: 'benign', 0: 'malignant' }, [0, 1], 2);
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        const out = {
          label: { dims: [2], data: new BigInt64Array([0n, 1n]), type: 'int64' },
          probabilities: { dims: [2, 2], data: new Float32Array([0.75, 0.25, 0.5, bad]), type: 'float32' },
        } as unknown as Record<string, OnnxValue>;
        assert.throws(
          () => decodeOutputs(p, out, 2),
          (err: unknown) =>
            err instanceof AppError &&
            err.code === 'INFERENCE_FAILED' &&
            err.detail ===
              `output 'probabilities' holds ${bad} for row 1; a prediction must be a finite number`,
        );
      }
    });

    it('takes the ids as names when the manifest has none', () => {
      assert.deepEqual(plan(undefined, [0, 1], 2).labels, ['0', '1']);
    });

    const wrong: Array<[string, unknown, Array<number>, RegExp]> = [
      ['a map whose ids are not the graph ids', { 0: 'a', 2: 'b' }, [0, 1], /ids \[0, 2\] .*\[0, 1\]/],
      ['a map that misses an id', { 0: 'a', 1: 'b' }, [0, 1, 2], /ids \[0, 1\] .*\[0, 1, 2\]/],
      ['the ids themselves in another order', [1, 0], [0, 1], /\[1, 0\] .*\[0, 1\]/],
      ['the ids as strings in another order', ['2', '0', '1'], [0, 1, 2], /\[2, 0, 1\] .*\[0, 1, 2\]/],
    ];
    for (const [name, labels, ids, detail] of wrong) {
      it(`refuses ${name}, naming both`, () => refused(() => plan(labels, ids, ids.length), detail));
    }
  });

  describe('a graph without class labels (a plain softmax)', () => {
    it("takes a list in the score output's column order", () => {
      assert.deepEqual(plan(['b', 'c', 'a'], undefined, 3).labels, ['b', 'c', 'a']);
    });

    it('takes a map from column index to name', () => {
      assert.deepEqual(plan({ 2: 'z', 0: 'x', 1: 'y' }, undefined, 3).labels, ['x', 'y', 'z']);
    });

    it('names the columns by index when the manifest has no labels', () => {
      assert.deepEqual(plan(undefined, undefined, 3).labels, ['0', '1', '2']);
    });

    it('refuses a map whose keys are not the column indices', () =>
      refused(() => plan({ 1: 'x', 2: 'y', 3: 'z' }, undefined, 3), /\[1, 2, 3\] .*\[0, 1, 2\]/));

    it('refuses a list of another length', () =>
      refused(() => plan(['x', 'y'], undefined, 3), /lists 2 classes but the model scores 3/));
  });
});

describe('decodeOutputs for a regression', () => {
  const plan = { kind: 'regression', valueOutput: 'variable' } as const;
  const out = (values: number[]) =>
    ({
      variable: { dims: [values.length, 1], data: new Float32Array(values), type: 'float32' },
    }) as unknown as Record<string, OnnxValue>;

  it('answers each value as the shortest decimal of its float32', () => {
    assert.deepEqual(decodeOutputs(plan, out([151.2, -2.5]), 2), [{ value: 151.2 }, { value: -2.5 }]);
  });

  it('refuses a NaN or infinite value, naming the output and the row', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      assert.throws(
        () => decodeOutputs(plan, out([1, 2, bad]), 3),
        (err: unknown) =>
          err instanceof AppError &&
          err.code === 'INFERENCE_FAILED' &&
          err.detail === `output 'variable' holds ${bad} for row 2; a prediction must be a finite number`,
      );
    }
  });
});
