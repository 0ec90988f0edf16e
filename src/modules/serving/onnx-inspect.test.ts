import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inspectOnnx } from './onnx-inspect.js';

const model = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url));
const fixture = (name: string) => model(`test/fixtures/models/${name}/model.onnx`);

describe('inspectOnnx: class labels', () => {
  const cases: Array<[string, Buffer, Array<string | number> | undefined, boolean]> = [
    [
      'string labels of a LinearClassifier',
      fixture('iris-linear'),
      ['setosa', 'versicolor', 'virginica'],
      false,
    ],
    [
      'integer ids of a TreeEnsembleClassifier',
      model('models/demo/breast-cancer/1.0.0/model.onnx'),
      [0, 1],
      false,
    ],
    [
      'the keys of a ZipMap beside a softmax',
      fixture('iris-softmax-zipmap'),
      ['setosa', 'versicolor', 'virginica'],
      true,
    ],
    ["the classifier's ids before its ZipMap's", fixture('zipmap-output'), [0, 1, 2], true],
    ['none in a plain softmax', fixture('wine-mlp-external'), undefined, false],
  ];
  for (const [name, bytes, labels, zipMap] of cases) {
    it(`reads ${name}`, () => {
      const inspection = inspectOnnx(bytes);
      assert.deepEqual(inspection.classLabels, labels);
      assert.equal(inspection.hasZipMap, zipMap);
    });
  }
});
