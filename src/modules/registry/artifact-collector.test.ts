import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orphanBlobs } from './artifact-collector.js';
import type { ArtifactReference } from './lifecycle-store.js';

const ref = (version: string, collected: boolean, ...files: Array<[string, number]>): ArtifactReference => ({
  model: 'm',
  version,
  collected,
  files: files.map(([sha256, size]) => ({ path: `${sha256}.onnx`, sha256, size, role: 'model' })),
});

describe('orphanBlobs', () => {
  const cases: Array<[string, ArtifactReference[], string[], Array<[string, number]>]> = [
    ['nothing registered', [], [], []],
    ['nothing doomed or collected', [ref('1', false, ['a', 10])], [], []],
    ['a doomed version alone', [ref('1', false, ['a', 10]), ref('2', false, ['b', 20])], ['1'], [['a', 10]]],
    [
      'a blob shared with a live version stays',
      [ref('1', false, ['a', 10], ['x', 5]), ref('2', false, ['b', 20], ['x', 5])],
      ['1'],
      [['a', 10]],
    ],
    [
      'a blob shared by two doomed versions counts once',
      [ref('1', false, ['x', 5]), ref('2', false, ['x', 5]), ref('3', false, ['c', 1])],
      ['1', '2'],
      [['x', 5]],
    ],
    ['leftovers of collected versions are found again', [ref('1', true, ['a', 10])], [], [['a', 10]]],
    [
      'a collected version sharing with a live one frees nothing',
      [ref('1', true, ['a', 10]), ref('2', false, ['a', 10])],
      [],
      [],
    ],
  ];
  for (const [name, refs, doomed, expected] of cases) {
    it(name, () => {
      const out = orphanBlobs(refs, new Set(doomed.map((v) => `m\u0000${v}`)));
      assert.deepEqual([...out].sort(), expected);
    });
  }
});
