import { Ajv, type ErrorObject, type SchemaObject } from 'ajv';
import { pointer, type FieldProblem } from '../../shared/errors.js';
import { compileRowEncoder, FLOAT32_MAX, MAX_STRING } from './row-encoder.js';
import type { InputPlan, ResolvedFeature, TensorType } from './signature.js';

/** Returns the problems of a batch of instances; an empty list means every instance is valid. */
export type InstanceValidator = (instances: unknown[], basePointer?: string) => FieldProblem[];

const MAX_PROBLEMS = 50;

// strictNumbers refuses NaN and ±Infinity (JSON such as 1e999 parses to Infinity). The schemas
// are built here, not by users: strict mode still refuses an unknown keyword, and skipping the
// meta-schema check saves compiling the meta-schema again for every version's own instance.
const AJV_OPTIONS = {
  allErrors: true,
  strictNumbers: true,
  verbose: true,
  coerceTypes: false,
  useDefaults: false,
  validateSchema: false,
} as const;

/**
 * Compiles the per-version input contract from the resolved features: types, ranges, category
 * values, nullability, required fields, no unknown fields, finite numbers that fit the input
 * tensor (float32 overflows past ±3.4e38, int64 past ±2^53 in JSON). Valid batches are accepted
 * by generated code (row-encoder.ts) in one pass without allocating; a batch it cannot vouch for
 * goes through the full validator, which alone words the problems.
 */
export function compileInstanceValidator(features: ResolvedFeature[], plan: InputPlan): InstanceValidator {
  const full = compileFullValidator(features, plan);
  const certainlyValid = compileRowEncoder(features, tensorTypesOf(features, plan));
  return (instances, basePointer) => (certainlyValid(instances) ? [] : full(instances, basePointer));
}

/** The element type of the tensor each feature is sent in. */
export function tensorTypesOf(features: ResolvedFeature[], plan: InputPlan): TensorType[] {
  return features.map((_, i) => (plan.kind === 'matrix' ? plan.tensorType : plan.columns[i]!.tensorType));
}

/**
 * The contract as an Ajv schema, every problem worded with its JSON pointer (at most 50). The
 * reference the generated check of row-encoder.ts is tested against.
 */
export function compileFullValidator(features: ResolvedFeature[], plan: InputPlan): InstanceValidator {
  const tensorTypes = tensorTypesOf(features, plan);
  const schema: SchemaObject = {
    type: 'object',
    properties: Object.fromEntries(features.map((f, i) => [f.name, featureSchema(f, tensorTypes[i]!)])),
    required: features.map((f) => f.name),
    additionalProperties: false,
  };
  // One Ajv per version, held only by this validator: Ajv caches every schema it compiles for its
  // own lifetime, so one module-wide instance kept every version's validator after the version
  // was unloaded (about 120 KiB each for 30 features).
  const validate = new Ajv(AJV_OPTIONS).compile(schema);
  const byName = new Map(features.map((f) => [f.name, f]));

  return (instances, basePointer = '/instances') => {
    const problems: FieldProblem[] = [];
    for (let i = 0; i < instances.length && problems.length < MAX_PROBLEMS; i++) {
      if (validate(instances[i])) continue;
      for (const e of validate.errors ?? []) {
        problems.push(describe(e, `${basePointer}/${i}`, byName));
        if (problems.length >= MAX_PROBLEMS) break;
      }
    }
    return problems;
  };
}

function featureSchema(f: ResolvedFeature, tensorType: TensorType): SchemaObject {
  const nullable = (s: SchemaObject): SchemaObject =>
    f.nullable ? { ...s, type: [s.type as string, 'null'] } : s;
  switch (f.type) {
    case 'number': {
      const bound = tensorType === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
      return nullable({ type: 'number', minimum: f.min ?? -bound, maximum: f.max ?? bound });
    }
    case 'integer':
      return {
        type: 'integer',
        minimum: f.min ?? -Number.MAX_SAFE_INTEGER,
        maximum: f.max ?? Number.MAX_SAFE_INTEGER,
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'category':
      return f.values ? { enum: f.values } : { type: 'string', maxLength: MAX_STRING };
  }
}

function describe(e: ErrorObject, base: string, features: Map<string, ResolvedFeature>): FieldProblem {
  const at = base + e.instancePath;
  const got = show(e.data);
  switch (e.keyword) {
    case 'required':
      return { pointer: at + pointer(String(e.params.missingProperty)), detail: 'is required' };
    case 'additionalProperties':
      return {
        pointer: at + pointer(String(e.params.additionalProperty)),
        detail: 'is not a feature of this model',
      };
    case 'type': {
      const name = e.instancePath.slice(1);
      const f = features.get(name);
      if (!f) return { pointer: at, detail: 'must be an object of feature values' };
      if (typeof e.data === 'number' && !Number.isFinite(e.data))
        return { pointer: at, detail: 'must be a finite number' };
      const expected = {
        number: 'a number',
        integer: 'an integer',
        boolean: 'true or false',
        category: 'a string',
      }[f.type];
      return { pointer: at, detail: `must be ${expected}${f.nullable ? ' or null' : ''}, got ${got}` };
    }
    case 'minimum':
    case 'maximum':
      return {
        pointer: at,
        detail: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(e.params.limit)}, got ${got}`,
      };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const list = allowed.length > 10 ? allowed.slice(0, 10).join(', ') + ', …' : allowed.join(', ');
      return { pointer: at, detail: `must be one of ${list}, got ${got}` };
    }
    case 'maxLength':
      return { pointer: at, detail: `must be at most ${String(e.params.limit)} characters long` };
    default:
      return { pointer: at, detail: e.message ?? 'is invalid' };
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
