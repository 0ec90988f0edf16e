import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import type { Feature } from '../registry/manifest.js';
import { compileInstanceValidator } from './instance-validator.js';
import { resolveSignature } from './signature.js';

type Meta = InferenceSession.ValueMetadata;
const tensor = (name: string, type: string, shape: Array<number | string>): Meta =>
  ({ name, isTensor: true, type, shape }) as Meta;

const expectInvalid = (fn: () => unknown, detail: RegExp) =>
  assert.throws(
    fn,
    (err: unknown) => err instanceof AppError && err.code === 'ARTIFACT_INVALID' && detail.test(err.detail),
  );

describe('resolveSignature', () => {
  const f = (name: string, type: Feature['type'], extra: Partial<Feature> = {}): Feature => ({
    name,
    type,
    ...extra,
  });

  it('maps features onto one [N, F] input in manifest order', () => {
    const s = resolveSignature([f('a', 'number'), f('b', 'integer')], [tensor('input', 'float32', ['N', 2])]);
    assert.deepEqual(s.plan, { kind: 'matrix', input: 'input', tensorType: 'float32', width: 2 });
    assert.equal(s.inferred, false);
  });

  it('maps features onto one input each, by name', () => {
    const s = resolveSignature(
      [f('age', 'integer'), f('region', 'category', { values: ['n', 's'] })],
      [tensor('region', 'string', ['N', 1]), tensor('age', 'int64', ['N', 1])],
    );
    assert.equal(s.plan.kind, 'columns');
    assert.deepEqual(s.plan.kind === 'columns' && s.plan.columns.map((c) => c.input), ['age', 'region']);
  });

  it('infers features from one [N, F] input', () => {
    const s = resolveSignature(undefined, [tensor('x', 'float32', [-1, 3])]);
    assert.equal(s.inferred, true);
    assert.deepEqual(
      s.features.map((x) => [x.name, x.type]),
      [
        ['x_0', 'number'],
        ['x_1', 'number'],
        ['x_2', 'number'],
      ],
    );
  });

  it('infers one feature per input from named column inputs', () => {
    const s = resolveSignature(undefined, [
      tensor('age', 'int64', ['N', 1]),
      tensor('smoker', 'bool', ['N']),
      tensor('city', 'string', ['N', 1]),
    ]);
    assert.deepEqual(
      s.features.map((x) => [x.name, x.type]),
      [
        ['age', 'integer'],
        ['smoker', 'boolean'],
        ['city', 'category'],
      ],
    );
  });

  it('refuses mismatches with a precise reason', () => {
    expectInvalid(
      () => resolveSignature([f('a', 'number')], [tensor('input', 'float32', ['N', 3])]),
      /3 columns but the manifest lists 1 features/,
    );
    expectInvalid(
      () =>
        resolveSignature(
          [f('a', 'number'), f('b', 'number')],
          [tensor('a', 'float32', ['N', 1]), tensor('c', 'float32', ['N', 1])],
        ),
      /no input is named 'b'/,
    );
    expectInvalid(
      () => resolveSignature([f('a', 'number')], [tensor('input', 'int64', ['N', 1])]),
      /feature 'a' is number but column 0 of input 'input' holds int64/,
    );
    expectInvalid(
      () => resolveSignature([f('a', 'boolean')], [tensor('a', 'string', ['N', 1])]),
      /feature 'a' is boolean but input 'a' holds string/,
    );
    expectInvalid(
      () => resolveSignature([f('c', 'category')], [tensor('input', 'float32', ['N', 1])]),
      /needs 'values'/,
    );
    expectInvalid(
      () => resolveSignature(undefined, [tensor('img', 'float32', ['N', 3, 224, 224])]),
      /cannot infer features/,
    );
    expectInvalid(() => resolveSignature(undefined, [{ name: 'seq', isTensor: false }]), /not a tensor/);
    expectInvalid(
      () => resolveSignature(undefined, [tensor('x', 'float16', ['N', 2])]),
      /element type float16/,
    );
  });
});

describe('compileInstanceValidator', () => {
  const features = [
    { name: 'age', type: 'integer' as const, min: 18, max: 100, nullable: false },
    { name: 'bmi', type: 'number' as const, min: 10, max: 70, nullable: true },
    { name: 'smoker', type: 'boolean' as const, nullable: false },
    { name: 'region', type: 'category' as const, values: ['north', 'south'], nullable: false },
    { name: 'note', type: 'category' as const, nullable: false },
  ];
  const validate = compileInstanceValidator(features, {
    kind: 'columns',
    columns: [
      { input: 'age', tensorType: 'int64', rank: 2 },
      { input: 'bmi', tensorType: 'float32', rank: 2 },
      { input: 'smoker', tensorType: 'bool', rank: 2 },
      { input: 'region', tensorType: 'string', rank: 2 },
      { input: 'note', tensorType: 'string', rank: 2 },
    ],
  });
  const good = { age: 40, bmi: 22.5, smoker: false, region: 'north', note: 'x' };

  it('accepts valid instances, including null for a nullable feature', () => {
    assert.deepEqual(validate([good, { ...good, bmi: null }]), []);
  });

  const table: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['a string for an integer', { age: '40' }, '/instances/0/age', /must be an integer, got "40"/],
    ['a fraction for an integer', { age: 40.5 }, '/instances/0/age', /must be an integer/],
    ['below the minimum', { age: 17 }, '/instances/0/age', /must be >= 18, got 17/],
    ['above the maximum', { bmi: 71 }, '/instances/0/bmi', /must be <= 70, got 71/],
    ['an infinite number', { bmi: Infinity }, '/instances/0/bmi', /finite/],
    ['a string for a boolean', { smoker: 'yes' }, '/instances/0/smoker', /must be true or false/],
    [
      'an unknown category',
      { region: 'west' },
      '/instances/0/region',
      /must be one of "north", "south", got "west"/,
    ],
    ['null for a non-nullable feature', { age: null }, '/instances/0/age', /must be an integer, got null/],
    ['an over-long string', { note: 'x'.repeat(2000) }, '/instances/0/note', /at most 1024 characters/],
    ['an unknown field', { colour: 'red' }, '/instances/0/colour', /not a feature/],
  ];
  for (const [name, patch, at, detail] of table) {
    it(`refuses ${name}`, () => {
      const problems = validate([{ ...good, ...patch }]);
      const found = problems.find((p) => p.pointer === at);
      assert.ok(found, JSON.stringify(problems));
      assert.match(found.detail, detail);
    });
  }

  it('points at the missing field and the offending instance', () => {
    const { age: _age, ...rest } = good;
    const problems = validate([good, rest]);
    assert.deepEqual(problems, [{ pointer: '/instances/1/age', detail: 'is required' }]);
  });

  it('refuses non-objects', () => {
    assert.match(validate([42])[0]!.detail, /must be an object/);
  });

  it('refuses numbers that overflow a float32 input even without bounds', () => {
    const v = compileInstanceValidator([{ name: 'x', type: 'number', nullable: false }], {
      kind: 'matrix',
      input: 'input',
      tensorType: 'float32',
      width: 1,
    });
    assert.equal(v([{ x: 3e38 }]).length, 0);
    assert.match(v([{ x: 1e39 }])[0]!.detail, /<= 3.4028234663852886e\+38/);
  });

  it('caps the number of problems reported', () => {
    const many = Array.from({ length: 500 }, () => ({ age: 'x' }));
    assert.equal(validate(many).length, 50);
  });
});
