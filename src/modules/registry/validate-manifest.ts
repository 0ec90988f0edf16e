import { posix } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { AppError, pointer, type FieldProblem } from '../../shared/errors.js';
import { declaredLabelNames, ManifestSchema, type Manifest } from './manifest.js';

const MAX_MANIFEST_BYTES = 1_048_576;

/** Reads manifest text: YAML (JSON is a subset of YAML, so both parse). */
export function parseManifestText(text: string): unknown {
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES) {
    throw new AppError('MANIFEST_INVALID', `the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new AppError(
      'MANIFEST_INVALID',
      `the manifest is neither valid YAML nor JSON: ${(err as Error).message}`,
    );
  }
}

/** Checks shape and meaning of a manifest; every problem is reported at once, each with a pointer. */
export function validateManifest(raw: unknown): Manifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError('MANIFEST_INVALID', 'the manifest must be a mapping of keys to values', {
      errors: [{ pointer: '', detail: 'must be an object' }],
    });
  }
  const shapeProblems = schemaProblems(raw);
  if (shapeProblems.length > 0) throw invalid(shapeProblems);
  const manifest = raw as Manifest;
  const problems = [
    ...versionProblems(manifest),
    ...pathProblems(manifest),
    ...featureProblems(manifest),
    ...outputProblems(manifest),
    ...smokeTestProblems(manifest),
  ];
  if (problems.length > 0) throw invalid(problems);
  return manifest;
}

function invalid(errors: FieldProblem[]): AppError {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new AppError('MANIFEST_INVALID', `${first.pointer || '/'}: ${first.detail}${more}`, { errors });
}

function schemaProblems(raw: object): FieldProblem[] {
  const byPointer = new Map<string, string>();
  for (const e of Value.Errors(ManifestSchema, raw)) {
    if (byPointer.has(e.path)) continue;
    const schema = e.schema as { anyOf?: Array<{ const?: unknown; type?: string }>; expected?: string };
    const allowed = schema.anyOf?.every((s) => 'const' in s)
      ? schema.anyOf.map((s) => String(s.const))
      : undefined;
    // a union of plain types ("Expected union value" says nothing): name the types
    const types = schema.anyOf?.every((s) => typeof s.type === 'string')
      ? schema.anyOf.map((s) => s.type!)
      : undefined;
    let detail = allowed
      ? `must be one of: ${allowed.join(', ')}`
      : types
        ? `must be ${types.join(' or ')}`
        : e.message.replace(/^Expected/, 'must be');
    if (e.message === 'Unexpected property') detail = 'is not a manifest key';
    if (e.message === 'Expected required property') detail = 'is required';
    if (schema.expected) detail = `must be ${schema.expected}`;
    byPointer.set(e.path, detail);
  }
  return [...byPointer].map(([p, detail]) => ({ pointer: p, detail }));
}

function versionProblems(m: Manifest): FieldProblem[] {
  if (semver.valid(m.version) === m.version) return [];
  return [{ pointer: '/version', detail: `'${m.version}' is not a semantic version (for example 1.4.0)` }];
}

/** A relative path inside the manifest's folder: no absolute paths, no `..`, forward slashes. */
export function isSafeRelativePath(p: string): boolean {
  if (p.includes('\\') || p.includes('\0') || posix.isAbsolute(p)) return false;
  const normalized = posix.normalize(p);
  return normalized === p && !normalized.startsWith('../') && normalized !== '..' && normalized !== '.';
}

function pathProblems(m: Manifest): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (p: string, at: string) => {
    if (!isSafeRelativePath(p))
      problems.push({
        pointer: at,
        detail: `'${p}' must be a plain relative path below the manifest's folder`,
      });
  };
  check(m.artifact, '/artifact');
  if (m.reference_data !== undefined) check(m.reference_data, '/reference_data');
  const artifactDir = posix.dirname(m.artifact);
  const seen = new Set([m.artifact]);
  (m.external_data ?? []).forEach((p, i) => {
    const at = pointer('external_data', i);
    check(p, at);
    if (seen.has(p)) problems.push({ pointer: at, detail: `'${p}' is listed twice` });
    seen.add(p);
    if (posix.relative(artifactDir, p).startsWith('..')) {
      problems.push({
        pointer: at,
        detail: `'${p}' must sit in the artifact's folder (${artifactDir}) or below it`,
      });
    }
  });
  return problems;
}

function featureProblems(m: Manifest): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const names = new Set<string>();
  (m.features ?? []).forEach((f, i) => {
    const at = (key?: string) => (key ? pointer('features', i, key) : pointer('features', i));
    if (names.has(f.name))
      problems.push({ pointer: at('name'), detail: `feature '${f.name}' is listed twice` });
    names.add(f.name);
    const numeric = f.type === 'number' || f.type === 'integer';
    if (!numeric && (f.min !== undefined || f.max !== undefined)) {
      problems.push({
        pointer: at(f.min !== undefined ? 'min' : 'max'),
        detail: `min and max apply to number and integer features, not ${f.type}`,
      });
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) {
      problems.push({ pointer: at('min'), detail: `min (${f.min}) is greater than max (${f.max})` });
    }
    if (f.type === 'integer') {
      for (const key of ['min', 'max'] as const) {
        const v = f[key];
        if (v !== undefined && !Number.isInteger(v))
          problems.push({ pointer: at(key), detail: `must be an integer for an integer feature` });
      }
    }
    if (f.values !== undefined && f.type !== 'category') {
      problems.push({ pointer: at('values'), detail: `values apply to category features, not ${f.type}` });
    }
    if (f.values !== undefined && new Set(f.values.map(String)).size !== f.values.length) {
      problems.push({ pointer: at('values'), detail: 'values must be distinct' });
    }
    if (f.nullable && f.type !== 'number') {
      problems.push({
        pointer: at('nullable'),
        detail: 'only number features can be nullable (null reaches the model as NaN)',
      });
    }
  });
  return problems;
}

function outputProblems(m: Manifest): FieldProblem[] {
  const o = m.outputs;
  if (!o) return [];
  const problems: FieldProblem[] = [];
  const notFor = (key: keyof typeof o, why: string) => {
    if (o[key] !== undefined)
      problems.push({ pointer: pointer('outputs', key), detail: `does not apply to ${why}` });
  };
  if (m.task === 'regression') {
    for (const key of ['labels', 'positive_label', 'threshold', 'label_output', 'scores_output'] as const)
      notFor(key, 'regression');
    return problems;
  }
  notFor('value_output', 'classification');
  const names = o.labels && declaredLabelNames(o.labels);
  if (names && new Set(names).size !== names.length) {
    problems.push({ pointer: '/outputs/labels', detail: 'labels must be distinct' });
  }
  if (m.task === 'multiclass-classification') {
    notFor('positive_label', 'multiclass classification');
    notFor('threshold', 'multiclass classification (it needs one positive label)');
    return problems;
  }
  if (names && names.length !== 2) {
    problems.push({
      pointer: '/outputs/labels',
      detail: `binary classification needs exactly 2 labels, got ${names.length}`,
    });
  }
  if (o.positive_label !== undefined && names && !names.includes(String(o.positive_label))) {
    problems.push({
      pointer: '/outputs/positive_label',
      detail: `'${String(o.positive_label)}' is not one of the labels`,
    });
  }
  return problems;
}

function smokeTestProblems(m: Manifest): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const regression = m.task === 'regression';
  (m.smoke_tests ?? []).forEach((t, i) => {
    const e = t.expected;
    const at = pointer('smoke_tests', i, 'expected');
    if (regression && (e.label !== undefined || e.probabilities !== undefined)) {
      problems.push({
        pointer: at,
        detail: 'a regression smoke test expects a value, not a label or probabilities',
      });
    }
    if (!regression && e.value !== undefined) {
      problems.push({
        pointer: at,
        detail: 'a classification smoke test expects a label or probabilities, not a value',
      });
    }
    if (e.label === undefined && e.probabilities === undefined && e.value === undefined) {
      problems.push({ pointer: at, detail: 'must state at least one expected output' });
    }
  });
  return problems;
}
