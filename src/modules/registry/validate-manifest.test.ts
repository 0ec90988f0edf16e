import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../shared/errors.js';
import { isSafeRelativePath, parseManifestText, validateManifest } from './validate-manifest.js';

const base = {
  name: 'churn',
  version: '1.2.0',
  task: 'binary-classification',
  artifact: 'model.onnx',
  changelog: 'first',
  features: [
    { name: 'age', type: 'integer', min: 0, max: 120 },
    { name: 'plan', type: 'category', values: ['basic', 'pro'] },
  ],
  outputs: { labels: ['stay', 'churn'], positive_label: 'churn', threshold: 0.4 },
};

function problems(manifest: unknown): Array<{ pointer: string; detail: string }> {
  try {
    validateManifest(manifest);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'MANIFEST_INVALID');
    return err.extras.errors ?? [];
  }
  assert.fail('expected MANIFEST_INVALID');
}

describe('validateManifest', () => {
  it('accepts a complete manifest', () => {
    assert.equal(validateManifest(base).name, 'churn');
  });

  it('accepts labels as a map from class id to name', () => {
    const outputs = { labels: { 1: 'churn', 0: 'stay' }, positive_label: 'churn' };
    assert.deepEqual(validateManifest({ ...base, outputs }).outputs?.labels, { 0: 'stay', 1: 'churn' });
  });

  it('parses YAML and JSON alike', () => {
    const yaml = parseManifestText('name: churn\nversion: 1.2.0\n');
    const json = parseManifestText('{"name": "churn", "version": "1.2.0"}');
    assert.deepEqual(yaml, json);
    assert.throws(() => parseManifestText('name: [unclosed'), /neither valid YAML nor JSON/);
  });

  const table: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['missing changelog', { changelog: undefined }, '/changelog', /must|Required/i],
    ['bad semver', { version: 'v1' }, '/version', /not a semantic version/],
    ['bad name', { name: 'Churn Model' }, '/name', /must/],
    ['unknown key', { colour: 'red' }, '/colour', /not a manifest key/],
    [
      'bad task',
      { task: 'ranking' },
      '/task',
      /one of: binary-classification, multiclass-classification, regression/,
    ],
    ['absolute artifact', { artifact: '/etc/passwd' }, '/artifact', /plain relative path/],
    ['escaping artifact', { artifact: '../x.onnx' }, '/artifact', /plain relative path/],
    [
      'duplicate feature',
      {
        features: [
          { name: 'a', type: 'number' },
          { name: 'a', type: 'number' },
        ],
      },
      '/features/1/name',
      /listed twice/,
    ],
    [
      'min > max',
      { features: [{ name: 'a', type: 'number', min: 2, max: 1 }] },
      '/features/0/min',
      /greater than max/,
    ],
    [
      'range on boolean',
      { features: [{ name: 'a', type: 'boolean', min: 0 }] },
      '/features/0/min',
      /not boolean/,
    ],
    [
      'values on number',
      { features: [{ name: 'a', type: 'number', values: [1] }] },
      '/features/0/values',
      /category/,
    ],
    [
      'nullable integer',
      { features: [{ name: 'a', type: 'integer', nullable: true }] },
      '/features/0/nullable',
      /only number/,
    ],
    [
      'fractional integer bound',
      { features: [{ name: 'a', type: 'integer', max: 1.5 }] },
      '/features/0/max',
      /integer/,
    ],
    ['three binary labels', { outputs: { labels: ['a', 'b', 'c'] } }, '/outputs/labels', /exactly 2/],
    [
      'positive label not a label',
      { outputs: { labels: ['a', 'b'], positive_label: 'c' } },
      '/outputs/positive_label',
      /not one of the labels/,
    ],
    [
      'labels map with a key that is not a class id',
      { outputs: { labels: { stay: 'a', churn: 'b' } } },
      '/outputs/labels',
      /a list of at least 2 class names, or a map of at least 2 class ids \(integers\) to names/,
    ],
    [
      'labels map of three classes for a binary task',
      { outputs: { labels: { 0: 'a', 1: 'b', 2: 'c' } } },
      '/outputs/labels',
      /exactly 2/,
    ],
    [
      'labels map naming two classes alike',
      { outputs: { labels: { 0: 'a', 1: 'a' } } },
      '/outputs/labels',
      /distinct/,
    ],
    [
      'positive label not a name of the labels map',
      { outputs: { labels: { 0: 'stay', 1: 'churn' }, positive_label: 1 } },
      '/outputs/positive_label',
      /not one of the labels/,
    ],
    ['threshold out of range', { outputs: { threshold: 1.5 } }, '/outputs/threshold', /must/],
    [
      'regression with labels',
      { task: 'regression', outputs: { labels: ['a', 'b'] } },
      '/outputs/labels',
      /does not apply to regression/,
    ],
    [
      'multiclass with threshold',
      { task: 'multiclass-classification', outputs: { threshold: 0.5 } },
      '/outputs/threshold',
      /multiclass/,
    ],
    [
      'external data outside the folder',
      { artifact: 'm/model.onnx', external_data: ['w.bin'] },
      '/external_data/0',
      /artifact's folder/,
    ],
    [
      'smoke test without expectation',
      { smoke_tests: [{ input: {}, expected: {} }] },
      '/smoke_tests/0/expected',
      /at least one/,
    ],
    [
      'regression smoke test with label',
      { task: 'regression', outputs: undefined, smoke_tests: [{ input: {}, expected: { label: 'x' } }] },
      '/smoke_tests/0/expected',
      /expects a value/,
    ],
  ];
  for (const [name, patch, at, detail] of table) {
    it(`refuses ${name} with a pointer`, () => {
      const manifest: Record<string, unknown> = { ...base, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete manifest[k];
      const found = problems(manifest).find((p) => p.pointer === at);
      assert.ok(found, `expected a problem at ${at}, got ${JSON.stringify(problems(manifest))}`);
      assert.match(found.detail, detail);
    });
  }

  it('names the accepted types of a union instead of "union value"', () => {
    const manifest = {
      ...base,
      smoke_tests: [{ input: { age: 3, plan: 'pro' }, expected: { label: true } }],
    };
    assert.deepEqual(problems(manifest), [
      { pointer: '/smoke_tests/0/expected/label', detail: 'must be string or number' },
    ]);
  });

  it('reports every problem at once', () => {
    assert.ok(problems({ ...base, version: 'x', artifact: '/abs' }).length === 2);
  });
});

describe('isSafeRelativePath', () => {
  const cases: Array<[string, boolean]> = [
    ['model.onnx', true],
    ['a/b/model.onnx', true],
    ['../model.onnx', false],
    ['a/../../model.onnx', false],
    ['/abs/model.onnx', false],
    ['a\\b.onnx', false],
    ['./model.onnx', false],
    ['a//b.onnx', false],
    ['.', false],
    ['', false],
  ];
  for (const [p, ok] of cases)
    it(`${JSON.stringify(p)} → ${ok}`, () => assert.equal(isSafeRelativePath(p), ok));
});
