// The manifest reference in docs/manifest.md, generated from ManifestSchema (the schema the
// server validates with): every key's type, whether it is required, its default, an example, and
// the error its misuse gives, produced by running the real validator on a manifest with that
// misuse. `npm run docs:manifest` rewrites the section; a test keeps docs/manifest.md equal to it.
import type { TSchema } from '@sinclair/typebox';
import { stringify } from 'yaml';
import { AppError } from '../../shared/errors.js';
import { ManifestSchema } from './manifest.js';
import { validateManifest } from './validate-manifest.js';

interface KeyDoc {
  meaning: string;
  /** what applies when the key is left out */
  default?: string;
  example: unknown;
  /** a value that the validator refuses, or 'omit' for a required key */
  misuse: unknown;
}

/** A manifest with every key set (also the reference's full example). */
export const FULL_EXAMPLE = {
  name: 'credit-risk',
  version: '2.1.0',
  task: 'binary-classification',
  artifact: 'model.onnx',
  external_data: ['model.onnx.data'],
  changelog: 'Retrained on 2026-Q3 applications; adds debt_ratio.',
  description: 'Probability that an applicant defaults within 12 months.',
  algorithm: 'GradientBoostingClassifier',
  framework: 'scikit-learn 1.5 (skl2onnx 1.17, ai.onnx.ml opset 3)',
  training_data_version: 'applications-2026q3 (sha256 3f1c…)',
  git_commit: '9c2e4b1',
  trainer: 'risk-team',
  features: [
    { name: 'income', type: 'number', min: 0, max: 10_000_000, nullable: true, description: 'yearly, EUR' },
    { name: 'age', type: 'integer', min: 18, max: 120 },
    { name: 'region', type: 'category', values: ['north', 'south', 'east', 'west'] },
    { name: 'has_guarantor', type: 'boolean' },
  ],
  outputs: {
    labels: { 0: 'repaid', 1: 'default' },
    positive_label: 'default',
    threshold: 0.35,
    label_output: 'label',
    scores_output: 'probabilities',
  },
  metrics: { roc_auc: 0.871, brier: 0.112 },
  smoke_tests: [
    {
      name: 'low-risk applicant',
      input: { income: 85000, age: 41, region: 'north', has_guarantor: true },
      expected: { label: 'repaid', probabilities: { repaid: 0.93, default: 0.07 } },
      tolerance: 0.01,
    },
  ],
  intended_use: 'Pre-screening of consumer loan applications; a person decides.',
  limitations: 'Trained on applicants aged 18-80 from one country.',
  ethical_considerations: 'Region is a proxy for protected attributes; audited quarterly.',
  reference_data: 'reference.csv',
  batching: { max_rows: 128, max_wait_ms: 2 },
};

/** One entry per key of ManifestSchema (a test checks that the two lists are the same). */
export const KEY_DOCS: Record<string, KeyDoc> = {
  name: {
    meaning: 'The model this version belongs to; the URL path segment of its API.',
    example: 'credit-risk',
    misuse: 'Credit Risk',
  },
  version: {
    meaning: 'The version, a semantic version; unique per model, immutable once registered.',
    example: '2.1.0',
    misuse: 'v2',
  },
  task: {
    meaning: 'What the model predicts; decides the answer shape.',
    example: 'binary-classification',
    misuse: 'ranking',
  },
  artifact: {
    meaning: "The ONNX file, relative to the manifest's folder; its SHA-256 is the version's identity.",
    example: 'model.onnx',
    misuse: '../model.onnx',
  },
  external_data: {
    meaning:
      "Files holding tensors stored outside the ONNX file (PyTorch exports over 2 GB), in the artifact's folder or below; hashed with it.",
    default: 'none',
    example: ['model.onnx.data'],
    misuse: ['/tmp/weights.bin'],
  },
  changelog: {
    meaning: 'What changed against the previous version.',
    example: 'Adds debt_ratio.',
    misuse: '',
  },
  description: {
    meaning: 'What the model does, for people.',
    default: 'none',
    example: 'Default risk.',
    misuse: 42,
  },
  algorithm: {
    meaning: 'Model card: the algorithm.',
    default: 'none',
    example: 'GradientBoostingClassifier',
    misuse: 42,
  },
  framework: {
    meaning: 'Model card: framework and converter versions.',
    default: 'none',
    example: 'scikit-learn 1.5',
    misuse: 42,
  },
  training_data_version: {
    meaning: 'Model card: which data trained it (a version, a hash).',
    default: 'none',
    example: 'applications-2026q3',
    misuse: 42,
  },
  git_commit: {
    meaning: 'Model card: the training code revision.',
    default: 'none',
    example: '9c2e4b1',
    misuse: 42,
  },
  trainer: { meaning: 'Model card: who trained it.', default: 'none', example: 'risk-team', misuse: 42 },
  features: {
    meaning:
      'The input columns, in the order the model takes them. With features, requests are validated per field (type, range, categories, unknown fields) before they reach the model.',
    default: 'read from the ONNX inputs (one input per feature, or one [N, k] tensor named by position)',
    example: [{ name: 'income', type: 'number', min: 0 }],
    misuse: [],
  },
  'features[].name': {
    meaning: 'The field name in requests; distinct.',
    example: 'income',
    misuse: 'monthly income',
  },
  'features[].type': {
    meaning: '`number` (float32), `integer`, `boolean` (sent as 0/1) or `category` (one of `values`).',
    example: 'number',
    misuse: 'float',
  },
  'features[].min': {
    meaning: 'Smallest accepted value (number and integer features).',
    default: 'no bound',
    example: 0,
    misuse: 'zero',
  },
  'features[].max': {
    meaning: 'Largest accepted value (number and integer features).',
    default: 'no bound',
    example: 10_000_000,
    misuse: -1,
  },
  'features[].values': {
    meaning: 'The accepted categories of a category feature; distinct.',
    default: 'none (required in practice for category)',
    example: ['north', 'south'],
    misuse: ['north', 'north'],
  },
  'features[].nullable': {
    meaning: 'Whether `null` is accepted (number features; it reaches the model as NaN).',
    default: 'false',
    example: true,
    misuse: 'yes',
  },
  'features[].description': {
    meaning: 'For people (model card, docs).',
    default: 'none',
    example: 'yearly, EUR',
    misuse: 42,
  },
  outputs: {
    meaning: 'How the model\'s outputs become labels, probabilities or values (see "outputs" below).',
    default: 'inferred from the ONNX outputs',
    example: { labels: ['repaid', 'default'] },
    misuse: { label: 'default' },
  },
  'outputs.labels': {
    meaning:
      'The class names: a list in the graph\'s class order, or a map from class id to name (see "Class labels" below).',
    default: "the graph's class labels or ids",
    example: { 0: 'repaid', 1: 'default' },
    misuse: ['repaid'],
  },
  'outputs.positive_label': {
    meaning: 'Binary: the class whose probability is compared with `threshold`.',
    default: 'the second class',
    example: 'default',
    misuse: 'bankrupt',
  },
  'outputs.threshold': {
    meaning: 'Binary: the label is `positive_label` when its probability is at least this.',
    default: "the model's own label output",
    example: 0.35,
    misuse: 1.5,
  },
  'outputs.label_output': {
    meaning: 'The ONNX output holding the predicted class.',
    default: 'the only output that can hold it',
    example: 'label',
    misuse: '',
  },
  'outputs.scores_output': {
    meaning: 'The ONNX output holding one probability per class, shape [N, classes].',
    default: 'the only output that can hold it',
    example: 'probabilities',
    misuse: '',
  },
  'outputs.value_output': {
    meaning: 'Regression: the ONNX output holding the value, shape [N] or [N, 1].',
    default: 'the only output that can hold it',
    example: 'variable',
    misuse: 'variable',
  },
  metrics: {
    meaning: 'Offline metrics for the model card and the promotion policy (e.g. roc_auc).',
    default: 'none',
    example: { roc_auc: 0.871 },
    misuse: { roc_auc: 'high' },
  },
  smoke_tests: {
    meaning: 'Requests run at registration and before every switch; a failing one refuses the version.',
    default: 'none',
    example: [{ input: { income: 85000 }, expected: { label: 'repaid' } }],
    misuse: {},
  },
  'smoke_tests[].name': {
    meaning: 'Named in errors.',
    default: 'its position',
    example: 'low-risk applicant',
    misuse: 42,
  },
  'smoke_tests[].input': {
    meaning: 'One instance, as in a predict request.',
    example: { income: 85000 },
    misuse: 'income=85000',
  },
  'smoke_tests[].expected': {
    meaning:
      'What the answer must contain: `label` and/or `probabilities` (classification) or `value` (regression).',
    example: { label: 'repaid' },
    misuse: { class: 'repaid' },
  },
  'smoke_tests[].expected.label': {
    meaning: 'The expected label.',
    default: 'not checked',
    example: 'repaid',
    misuse: true,
  },
  'smoke_tests[].expected.probabilities': {
    meaning: 'Expected probability per label, within `tolerance`.',
    default: 'not checked',
    example: { repaid: 0.93, default: 0.07 },
    misuse: { repaid: 'high' },
  },
  'smoke_tests[].expected.value': {
    meaning: 'Regression: the expected value, within `tolerance`.',
    default: 'not checked',
    example: 12.5,
    misuse: 'twelve',
  },
  'smoke_tests[].tolerance': {
    meaning: 'Largest accepted absolute difference for probabilities and values.',
    default: '1e-6',
    example: 0.01,
    misuse: -0.1,
  },
  intended_use: {
    meaning: 'Model card: what it is for.',
    default: 'none',
    example: 'Pre-screening; a person decides.',
    misuse: 42,
  },
  limitations: {
    meaning: 'Model card: where it must not be trusted.',
    default: 'none',
    example: 'Applicants aged 18-80.',
    misuse: 42,
  },
  ethical_considerations: {
    meaning: 'Model card: risks and mitigations.',
    default: 'none',
    example: 'Audited quarterly.',
    misuse: 42,
  },
  batching: {
    meaning:
      'Adaptive batching of this version: concurrent requests share one ONNX Runtime run (docs/benchmarks.md). Overrides the server-wide `MODELGATE_BATCH_MAX_ROWS` and `MODELGATE_BATCH_MAX_WAIT_MS`.',
    default: 'the server-wide settings',
    example: { max_rows: 128, max_wait_ms: 2 },
    misuse: { max_rows: 128, wait: 2 },
  },
  'batching.max_rows': {
    meaning: 'Most rows in one run; 1 turns batching off for this version. A larger request runs alone.',
    default: '`MODELGATE_BATCH_MAX_ROWS` (64)',
    example: 128,
    misuse: 0,
  },
  'batching.max_wait_ms': {
    meaning:
      'How long a request may wait for others while requests are concurrent; a lone request never waits.',
    default: '`MODELGATE_BATCH_MAX_WAIT_MS` (0: one event-loop turn)',
    example: 2,
    misuse: 5000,
  },
  reference_data: {
    meaning:
      "A CSV of training-like rows, relative to the manifest's folder: the reference profile for drift monitoring and the judge.",
    default: 'none (no drift monitoring)',
    example: 'reference.csv',
    misuse: '/data/reference.csv',
  },
};

/** Every key path of a TypeBox object schema: `a`, `a.b`, `a[].b` for arrays of objects. */
export function schemaKeyPaths(
  schema: TSchema = ManifestSchema,
  prefix = '',
): Array<{ path: string; schema: TSchema; required: boolean }> {
  const props = (schema as { properties?: Record<string, TSchema> }).properties ?? {};
  const required = new Set((schema as { required?: string[] }).required ?? []);
  return Object.entries(props).flatMap(([key, s]) => {
    const path = prefix + key;
    const own = { path, schema: s, required: required.has(key) };
    const items = (s as { items?: TSchema }).items;
    if (items && (items as { properties?: unknown }).properties)
      return [own, ...schemaKeyPaths(items, `${path}[].`)];
    if ((s as { properties?: unknown }).properties) return [own, ...schemaKeyPaths(s, `${path}.`)];
    return [own];
  });
}

/** A short type for people, from the JSON schema. */
export function describeType(s: TSchema): string {
  const x = s as Record<string, unknown> & {
    anyOf?: TSchema[];
    items?: TSchema;
    patternProperties?: Record<string, TSchema>;
  };
  if (x.anyOf) {
    if (x.anyOf.every((a) => 'const' in a))
      return x.anyOf.map((a) => `\`${String((a as unknown as { const: unknown }).const)}\``).join(' \\| ');
    return x.anyOf.map(describeType).join(' or ');
  }
  const bounds = (lo: string, hi: string, unit = '') => {
    const parts = [
      typeof x[lo] === 'number' ? `≥ ${x[lo]}` : '',
      typeof x[hi] === 'number' ? `≤ ${x[hi]}` : '',
    ].filter(Boolean);
    return parts.length ? ` (${parts.join(', ')}${unit})` : '';
  };
  switch (x.type) {
    case 'string':
      return `string${typeof x.pattern === 'string' ? ` matching \`${x.pattern}\`` : ''}${bounds('minLength', 'maxLength', ' chars')}`;
    case 'number':
      return `number${bounds('minimum', 'maximum')}`;
    case 'integer':
      return `integer${bounds('minimum', 'maximum')}`;
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = x.items as TSchema & { properties?: unknown; anyOf?: unknown };
      const inner = items.properties
        ? 'mappings'
        : items.anyOf
          ? `(${describeType(items)})`
          : describeType(items);
      return `list of ${inner}${bounds('minItems', 'maxItems', ' items')}`;
    }
    case 'object':
      if (x.patternProperties) return `mapping of ${describeType(Object.values(x.patternProperties)[0]!)}`;
      return 'mapping';
    default:
      return 'any';
  }
}

/** Sets (or, with 'omit', deletes) the value at a key path; `[]` means the first item. */
function withValue(base: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const parts = path.split('.').flatMap((p) => (p.endsWith('[]') ? [p.slice(0, -2), 0] : [p]));
  let at: Record<string | number, unknown> = copy;
  for (const p of parts.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  const last = parts.at(-1)!;
  if (value === 'omit') delete at[last];
  else at[last] = value;
  return copy;
}

/** The validator's answer to the example manifest with this key misused. */
export function misuseError(path: string, misuse: unknown): string {
  try {
    validateManifest(withValue(FULL_EXAMPLE, path, misuse));
  } catch (err) {
    if (err instanceof AppError) return `${err.code}: ${err.detail}`;
    throw err;
  }
  throw new Error(`misusing ${path} with ${JSON.stringify(misuse)} passed validation`);
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const inline = (v: unknown) => `\`${cell(JSON.stringify(v))}\``;

export function renderManifestReference(): string {
  const rows = schemaKeyPaths().map(({ path, schema, required }) => {
    const doc = KEY_DOCS[path];
    if (!doc) throw new Error(`KEY_DOCS has no entry for manifest key ${path}`);
    const misuse = doc.misuse === 'omit' ? 'left out' : inline(doc.misuse);
    return `| \`${path}\` | ${describeType(schema)} | ${required ? 'yes' : doc.default ? cell(doc.default) : 'no'} | ${cell(doc.meaning)} | ${inline(doc.example)} | ${misuse} → ${cell(misuseError(path, doc.misuse === 'omit' ? 'omit' : doc.misuse))} |`;
  });
  return [
    'Every key, generated from the schema the server validates with (`npm run docs:manifest`). "Required" says `yes`, or what applies when the key is left out. The last column is a real misuse and the error registration answers it with (`422`, problem+json, one pointer per problem).',
    '',
    '| key | type | required / default | meaning | example | misuse → error |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    'A manifest with every key set:',
    '',
    '```yaml',
    stringify(FULL_EXAMPLE, { lineWidth: 0 }).trimEnd(),
    '```',
  ].join('\n');
}

const START = '<!-- manifest-reference:start -->';
const END = '<!-- manifest-reference:end -->';

export function replaceManifestReference(doc: string): string {
  const [before, rest] = doc.split(START);
  const after = rest?.split(END)[1];
  if (before === undefined || after === undefined)
    throw new Error('docs/manifest.md has no manifest-reference markers');
  return `${before}${START}\n${renderManifestReference()}\n${END}${after}`;
}
