import type { ResolvedFeature, TensorType } from './signature.js';

/** The typed arrays the compiled encoder writes into (every numeric tensor but int64). */
export type NumberArray = Float32Array | Float64Array | Int32Array;

/**
 * Checks rows against a version's input contract and, given `out`, writes each row's values in
 * feature order into `out` from row `start` on (row r at `(start + r) · features`). True when
 * every row is certainly valid; false when one may not be, and then the caller asks the full
 * validator (Ajv, instance-validator.ts) for the exact problems. `out` may be partly written then.
 */
export type RowEncoder = (rows: readonly unknown[], out?: NumberArray, start?: number) => boolean;

/** The largest finite float32: a number feature of a float32 tensor must fit (validators agree). */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** The longest string a category without `values` may hold (code points for Ajv). */
export const MAX_STRING = 1024;

/**
 * Generates, once per version, straight-line code that reads each feature by its name (`row.x`,
 * one inline cache per feature, no per-row objects or closures) and checks it as the version's
 * Ajv schema would (instance-validator.ts):
 * - number: `typeof v === 'number'` within [min, max], the bounds defaulting to ±float32 max for
 *   float32 tensors and ±Number.MAX_VALUE otherwise (so NaN and ±Infinity fail); null when
 *   nullable (written as NaN);
 * - integer: Number.isInteger within [min, max] (±2^53 − 1 by default), never null;
 * - boolean: true or false (written as 1 or 0);
 * - category with `values`: one of them by ===; a string is written as its first index in
 *   `values`, a number as itself; without `values`: a string of at most 1,024 UTF-16 units (Ajv
 *   counts code points, so this never accepts what Ajv refuses), written as NaN;
 * - the row is an object (not null, not an array) whose for-in keys are as many as the features:
 *   with every feature read as a primitive, these are the features themselves (Ajv walks the
 *   same for-in keys for additionalProperties).
 * The check may refuse a row Ajv accepts (then the slow path decides), never the reverse: the
 * property tests in row-encoder.test.ts hold it to that, and to writing what encodeInstances
 * writes. Only number typed arrays are written (int64 needs BigInt: the generic codec does it).
 */
export function compileRowEncoder(
  features: readonly ResolvedFeature[],
  /** the element type of the tensor each feature goes to (number bounds depend on it) */
  tensorTypes: readonly TensorType[],
): RowEncoder {
  const constants: unknown[] = [];
  // finite numbers as literals (String(x) reads back as x; -0 compares as 0), the rest in `k`
  const constant = (value: unknown): string =>
    typeof value === 'number' && Number.isFinite(value)
      ? `(${String(value)})`
      : `k[${constants.push(value) - 1}]`;
  const width = features.length;
  const body = features.map((f, c) => featureCode(f, c, tensorTypes[c]!, constant)).join('\n');
  const source = `
return function encodeRows(rows, out, start) {
  const n = rows.length;
  const from = start === undefined ? 0 : start;
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
    let keys = 0;
    for (const _ in row) keys++;
    if (keys !== ${width}) return false;
    const at = (from + r) * ${width};
    let v;
${body}
  }
  return true;
};`;
  // the code is built from the manifest's features only: names are embedded as JSON string
  // literals, numbers as number literals, every other value is passed in `k`
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code generated from the manifest, as above
  const factory = new Function('k', source) as (k: unknown[]) => RowEncoder;
  return factory(constants);
}

function featureCode(
  f: ResolvedFeature,
  c: number,
  tensorType: TensorType,
  constant: (value: unknown) => string,
): string {
  const read = `    v = row[${JSON.stringify(f.name)}];`;
  const write = (value: string) => `    if (out !== undefined) out[at + ${c}] = ${value};`;
  switch (f.type) {
    case 'number': {
      const bound = tensorType === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
      const lo = constant(f.min ?? -bound);
      const hi = constant(f.max ?? bound);
      const ok = `typeof v === 'number' && v >= ${lo} && v <= ${hi}`;
      return f.nullable
        ? `${read}\n    if (v === null) v = NaN; else if (!(${ok})) return false;\n${write('v')}`
        : `${read}\n    if (!(${ok})) return false;\n${write('v')}`;
    }
    case 'integer': {
      const lo = constant(f.min ?? -Number.MAX_SAFE_INTEGER);
      const hi = constant(f.max ?? Number.MAX_SAFE_INTEGER);
      return `${read}\n    if (!(Number.isInteger(v) && v >= ${lo} && v <= ${hi})) return false;\n${write('v')}`;
    }
    case 'boolean':
      return `${read}\n    if (v !== true && v !== false) return false;\n${write('v ? 1 : 0')}`;
    case 'category': {
      if (!f.values) {
        return `${read}\n    if (!(typeof v === 'string' && v.length <= ${MAX_STRING})) return false;\n${write('NaN')}`;
      }
      // a string value is sent as its first index in `values`, a number as itself
      const strings = new Map<string, number>();
      const numbers = new Set<number>();
      f.values.forEach((x, i) => {
        if (typeof x === 'string') {
          if (!strings.has(x)) strings.set(x, i);
        } else numbers.add(x);
      });
      const s = constant(strings);
      const nums = constant(numbers);
      return [
        read,
        `    if (typeof v === 'string') { v = ${s}.get(v); if (v === undefined) return false; }`,
        `    else if (!(typeof v === 'number' && ${nums}.has(v))) return false;`,
        write('v'),
      ].join('\n');
    }
  }
}
