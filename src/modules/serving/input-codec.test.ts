import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeInstances, encodeInstances } from './input-codec.js';
import type { InputPlan, ResolvedFeature } from './signature.js';

const feature = (name: string, type: ResolvedFeature['type'], extra: Partial<ResolvedFeature> = {}) => ({
  name,
  type,
  nullable: true,
  ...extra,
});

describe('input tensors back into records', () => {
  it('inverts the encoding of one [N, F] matrix: numbers, nulls, booleans and category indices', () => {
    const features: ResolvedFeature[] = [
      feature('radius', 'number'),
      feature('count', 'integer'),
      feature('flag', 'boolean'),
      feature('colour', 'category', { values: ['red', 'green', 'blue'] }),
      feature('grade', 'category', { values: [1, 5, 9] }),
    ];
    const plan: InputPlan = { kind: 'matrix', input: 'X', tensorType: 'float64', width: 5 };
    const rows = [
      { radius: 1.5, count: 3, flag: true, colour: 'blue', grade: 9 },
      { radius: null, count: 0, flag: false, colour: 'red', grade: 1 },
    ];
    const feeds = encodeInstances(plan, features, rows);
    assert.deepEqual(decodeInstances(plan, features, feeds), rows);
  });

  it('inverts one input per feature: int64, float32, bool and string tensors', () => {
    const features: ResolvedFeature[] = [
      feature('age', 'integer'),
      feature('bmi', 'number'),
      feature('smoker', 'boolean'),
      feature('region', 'category', { values: ['north', 'south'] }),
    ];
    const plan: InputPlan = {
      kind: 'columns',
      columns: [
        { input: 'age', tensorType: 'int64', rank: 2 },
        { input: 'bmi', tensorType: 'float32', rank: 2 },
        { input: 'smoker', tensorType: 'bool', rank: 1 },
        { input: 'region', tensorType: 'string', rank: 2 },
      ],
    };
    const rows = [
      { age: 65, bmi: 33.5, smoker: false, region: 'north' },
      { age: 22, bmi: 25.75, smoker: true, region: 'south' },
      { age: 43, bmi: 44.5, smoker: false, region: 'west' }, // a string tensor may carry any value
    ];
    assert.deepEqual(decodeInstances(plan, features, encodeInstances(plan, features, rows)), rows);
  });

  it('reads float32 values back as their shortest decimals, as JSON sent them', () => {
    const features: ResolvedFeature[] = [
      feature('dose', 'number'),
      feature('grade', 'category', { values: [0.1, 0.7] }),
    ];
    const plan: InputPlan = { kind: 'matrix', input: 'X', tensorType: 'float32', width: 2 };
    const rows = [
      { dose: 0.1, grade: 0.7 },
      { dose: 0.3, grade: 0.1 },
      { dose: 123.456, grade: 0.7 },
    ];
    assert.ok(Math.fround(0.1) > 0.1, 'as a float32, 0.1 is above a bin edge at 0.1');
    assert.deepEqual(decodeInstances(plan, features, encodeInstances(plan, features, rows)), rows);
  });

  it('keeps an index outside a category’s values as a number, and reads no rows from empty tensors', () => {
    const features: ResolvedFeature[] = [feature('colour', 'category', { values: ['red', 'green'] })];
    const plan: InputPlan = { kind: 'matrix', input: 'X', tensorType: 'float32', width: 1 };
    const feeds = { X: { data: new Float32Array([1, 7, -1, 0.5]), dims: [4, 1] } };
    assert.deepEqual(decodeInstances(plan, features, feeds), [
      { colour: 'green' },
      { colour: 7 },
      { colour: -1 },
      { colour: 0.5 },
    ]);
    assert.deepEqual(decodeInstances(plan, features, { X: { data: new Float32Array(0), dims: [0, 1] } }), []);
  });
});
