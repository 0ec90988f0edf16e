import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from 'onnxruntime-node';
import { mulberry32 } from '../../shared/seeded-random.js';
import { compileInstanceEncoder, encodeInstances } from './input-codec.js';
import { compileFullValidator, compileInstanceValidator, tensorTypesOf } from './instance-validator.js';
import { compileRowEncoder } from './row-encoder.js';
import type { InputPlan, ResolvedFeature } from './signature.js';

// Property-style checks of the generated row check and encoder against the reference paths
// (Ajv for validation, encodeInstances for tensors), over seeded random contracts and rows: valid
// ones, and rows broken in every way the validator words a problem for.

type Random = () => number;
type Row = Record<string, unknown>;

const pick = <T>(random: Random, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const NAMES = ['age', 'bmi', 'x.1', 'mean_radius', 'constructor', 'valueOf', 'Z_9', 'region', 'f-2', 'n'];

function randomFeature(random: Random, name: string): ResolvedFeature {
  const nullable = random() < 0.3;
  const kind = pick(random, [
    'number',
    'number',
    'integer',
    'boolean',
    'strings',
    'numbers',
    'mixed',
    'free',
  ]);
  const bounds = (integer: boolean) => {
    const b: { min?: number; max?: number } = {};
    const lo = integer
      ? Math.round((random() - 0.5) * 200)
      : (random() - 0.5) * 10 ** Math.floor(random() * 8);
    if (random() < 0.7) b.min = lo;
    if (random() < 0.7) b.max = lo + (integer ? Math.round(random() * 100) : random() * 1000);
    return b;
  };
  switch (kind) {
    case 'number':
      return { name, type: 'number', nullable, ...bounds(false) };
    case 'integer':
      return { name, type: 'integer', nullable, ...bounds(true) };
    case 'boolean':
      return { name, type: 'boolean', nullable };
    case 'strings':
      return { name, type: 'category', nullable, values: ['red', 'green', 'blue', 'red'] };
    case 'numbers':
      return { name, type: 'category', nullable, values: [0, 1, 2.5, -3] };
    case 'mixed':
      return { name, type: 'category', nullable, values: ['a', 7, 'b', 0.1] };
    default:
      return { name, type: 'category', nullable };
  }
}

function randomContract(random: Random): ResolvedFeature[] {
  const names = [...NAMES].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 6));
  return names.map((n) => randomFeature(random, n));
}

/** A value the contract accepts for `f`. */
function validValue(random: Random, f: ResolvedFeature): unknown {
  if (f.nullable && f.type === 'number' && random() < 0.15) return null;
  switch (f.type) {
    case 'number': {
      const lo = f.min ?? (f.max ?? 0) - 1e6;
      const hi = f.max ?? lo + 2e6;
      const r = random();
      if (r < 0.1) return lo;
      if (r < 0.2) return hi;
      if (r < 0.25 && lo <= 0 && hi >= 0) return -0;
      return Math.min(hi, Math.max(lo, Number((lo + (hi - lo) * random()).toPrecision(5))));
    }
    case 'integer': {
      const lo = Math.ceil(f.min ?? (f.max ?? 0) - 1000);
      const hi = Math.floor(f.max ?? lo + 2000);
      return lo + Math.floor(random() * (hi - lo + 1));
    }
    case 'boolean':
      return random() < 0.5;
    case 'category':
      return f.values ? pick(random, f.values) : pick(random, ['', 'x', 'some text', 'é', 'y'.repeat(1024)]);
  }
}

function validRow(random: Random, features: ResolvedFeature[]): Row {
  return Object.fromEntries(features.map((f) => [f.name, validValue(random, f)]));
}

const ODD_VALUES: unknown[] = [
  null,
  undefined,
  true,
  'text',
  '1',
  [],
  {},
  NaN,
  Infinity,
  -Infinity,
  1.5,
  -1e300,
  1e39,
  2 ** 53,
  'z'.repeat(1025),
  '😀'.repeat(600), // 1,200 UTF-16 units but 600 code points: Ajv accepts it
  'green',
  7,
  0.1,
];

/** The row broken in one way: a field missing, unknown, or of a wrong type or range. */
function brokenRow(random: Random, features: ResolvedFeature[]): unknown {
  const row = validRow(random, features);
  const f = pick(random, features);
  const r = random();
  if (r < 0.05) return pick(random, [null, 42, 'row', [row]]);
  if (r < 0.15) {
    delete row[f.name];
    return row;
  }
  if (r < 0.25) return { ...row, extra: 1 };
  if (r < 0.3) return { ...row, extra: undefined };
  if (r < 0.5 && (f.type === 'number' || f.type === 'integer')) {
    const span = (f.max ?? 0) - (f.min ?? 0);
    row[f.name] = pick(random, [(f.min ?? -3.5e38) - 1 - span, (f.max ?? 3.5e38) + 1 + span]);
    return row;
  }
  row[f.name] = pick(random, ODD_VALUES);
  return row;
}

function randomBatch(random: Random, features: ResolvedFeature[], broken: boolean): unknown[] {
  const n = 1 + Math.floor(random() * 4);
  return Array.from({ length: n }, () =>
    broken && random() < 0.5 ? brokenRow(random, features) : validRow(random, features),
  );
}

const matrix = (features: ResolvedFeature[], tensorType: 'float32' | 'float64' | 'int32'): InputPlan => ({
  kind: 'matrix',
  input: 'X',
  tensorType,
  width: features.length,
});

const dataOf = (feeds: Record<string, Tensor>) => Array.from(feeds.X!.data as Float32Array);

describe('compileRowEncoder: the generated check and encoder', () => {
  it('accepts only what Ajv accepts, and then writes what encodeInstances writes', () => {
    const random = mulberry32(20261130);
    let accepted = 0;
    let refused = 0;
    for (let contract = 0; contract < 120; contract++) {
      const features = randomContract(random);
      const plan = matrix(features, pick(random, ['float32', 'float64', 'int32'] as const));
      const check = compileRowEncoder(features, tensorTypesOf(features, plan));
      const full = compileFullValidator(features, plan);
      const encode = compileInstanceEncoder(plan, features);
      for (let b = 0; b < 30; b++) {
        const rows = randomBatch(random, features, b % 2 === 1);
        const problems = full(rows);
        if (!check(rows)) {
          refused++;
          continue;
        }
        accepted++;
        assert.deepEqual(problems, [], `the check passed rows Ajv refuses: ${JSON.stringify(rows)}`);
        const expected = dataOf(encodeInstances(plan, features, rows as Row[]));
        assert.deepEqual(dataOf(encode([rows as Row[]])), expected);
        // several requests' rows in one run: each written at its offset
        const cut = Math.floor(random() * rows.length);
        assert.deepEqual(dataOf(encode([rows.slice(0, cut) as Row[], rows.slice(cut) as Row[]])), expected);
      }
    }
    // both sides were exercised
    assert.ok(accepted > 900, `accepted ${accepted}`);
    assert.ok(refused > 400, `refused ${refused}`);
  });

  it('accepts every valid row it is shown (the fast path is taken)', () => {
    const random = mulberry32(7);
    for (let contract = 0; contract < 120; contract++) {
      const features = randomContract(random);
      const plan = matrix(features, 'float32');
      const check = compileRowEncoder(features, tensorTypesOf(features, plan));
      const rows = randomBatch(random, features, false);
      assert.equal(check(rows), true, JSON.stringify({ features, rows }));
    }
  });

  it('writes null as NaN, booleans as 1/0, a category string as its first index, a number as itself', () => {
    const features: ResolvedFeature[] = [
      { name: 'x', type: 'number', nullable: true },
      { name: 'b', type: 'boolean', nullable: false },
      { name: 'c', type: 'category', nullable: false, values: ['red', 'green', 'red'] },
      { name: 'g', type: 'category', nullable: false, values: ['a', 5] },
      { name: 'i', type: 'integer', nullable: false },
    ];
    const out = new Float64Array(10);
    const rows = [
      { x: null, b: true, c: 'red', g: 5, i: -2 },
      { x: 1.25, b: false, c: 'green', g: 'a', i: 3 },
    ];
    assert.equal(
      compileRowEncoder(features, ['float64', 'float64', 'float64', 'float64', 'float64'])(rows, out),
      true,
    );
    assert.deepEqual(Array.from(out), [NaN, 1, 0, 5, -2, 1.25, 0, 1, 0, 3]);
  });

  it('leaves rows of a contract feature named like an Object.prototype member to Ajv', () => {
    const features: ResolvedFeature[] = [{ name: 'constructor', type: 'number', nullable: false }];
    const check = compileRowEncoder(features, ['float32']);
    assert.equal(check([{ constructor: 2 }]), true);
    assert.equal(check([{}]), false); // row.constructor is Object: not a number
  });
});

describe('compileInstanceValidator with its generated fast path', () => {
  it('reports exactly the problems of the full validator (pointers and wording)', () => {
    const random = mulberry32(15);
    for (let contract = 0; contract < 100; contract++) {
      const features = randomContract(random);
      const plan: InputPlan =
        random() < 0.5
          ? matrix(features, pick(random, ['float32', 'float64'] as const))
          : {
              kind: 'columns',
              columns: features.map((f) => ({
                input: f.name,
                tensorType: pick(random, ['float32', 'int64', 'float64'] as const),
                rank: 2 as const,
              })),
            };
      const validate = compileInstanceValidator(features, plan);
      const full = compileFullValidator(features, plan);
      for (let b = 0; b < 20; b++) {
        const rows = randomBatch(random, features, true);
        const base = pick(random, [undefined, '', '/inputs']);
        assert.deepEqual(validate(rows, base), full(rows, base));
      }
    }
  });
});
