import { bytes, DASH, fixed, meanStd, percent, shortHash, significant } from './format-values.js';
import type { ModelCardData } from './model-card.js';
import {
  stated,
  table,
  type Block,
  type CardSection,
  type Cell,
  type ModelCardDocument,
} from './model-card-document.js';

type Feature = ModelCardData['features'][number];
type Reference = NonNullable<ModelCardData['reference']>;
type ReferenceFeature = Reference['features'][number];

/**
 * The sections of "Model Cards for Model Reporting" (Mitchell et al., 2019) that modelgate has
 * data for: details, intended use, training data, metrics, features (the model's inputs, standing
 * in for "factors"), limitations ("caveats"), ethical considerations, plus provenance for audits.
 * Absent optional values stay visible as "Not stated." so a reader sees what the owner left out.
 */
export function modelCardContent(card: ModelCardData): ModelCardDocument {
  return {
    title: `Model card: ${card.model} ${card.version}`,
    summary:
      `${card.model} ${card.version} (${card.display_id}) is a ${card.task} model ` +
      `created at ${card.created_at} by ${card.created_by}.` +
      (card.lifecycle.state === 'active' ? '' : ` ${lifecycleText(card.lifecycle)}`),
    sections: [
      section('model-details', 'Model details', [details(card)]),
      section('intended-use', 'Intended use', [{ kind: 'paragraph', value: stated(card.intended_use) }]),
      section('training-data', 'Training data', [trainingData(card)]),
      section('metrics', 'Metrics', metrics(card)),
      section('features', 'Features', [features(card)]),
      section('limitations', 'Limitations', [{ kind: 'paragraph', value: stated(card.limitations) }]),
      section('ethical-considerations', 'Ethical considerations', [
        { kind: 'paragraph', value: stated(card.ethical_considerations) },
      ]),
      section('provenance', 'Provenance', provenance(card)),
      ...(card.readiness
        ? [section('deployment-readiness', 'Deployment readiness', readiness(card.readiness))]
        : []),
    ],
  };
}

function readiness(r: NonNullable<ModelCardData['readiness']>): Block[] {
  const failed = r.checks.filter((c) => c.verdict === 'fail').length;
  const warned = r.checks.filter((c) => c.verdict === 'warn').length;
  return [
    {
      kind: 'paragraph',
      value: text(
        `${r.go ? 'GO' : 'NO-GO'} for production: ${failed} check(s) failed, ${warned} warning(s) (modelgate models readiness).`,
      ),
    },
    table(
      ['Check', 'Verdict', 'Reason'],
      r.checks.map((c) => [text(c.name), text(c.verdict), text(c.reason)]),
      'No checks.',
    ),
  ];
}

function section(id: string, title: string, blocks: Block[]): CardSection {
  return { id, title, blocks };
}

const text = (value: string): Cell => ({ text: value });
const code = (value: string): Cell => ({ text: value, code: true });
const num = (value: string): Cell => ({ text: value, num: true });
const hashPrefix = (hash: string): Cell => ({ text: shortHash(hash), code: true, full: hash });

function details(card: ModelCardData): Block {
  return {
    kind: 'fields',
    items: [
      { label: 'Model', value: text(card.model) },
      { label: 'Version', value: code(card.version) },
      { label: 'Display id', value: code(card.display_id) },
      { label: 'Task', value: text(card.task) },
      { label: 'Description', value: stated(card.description) },
      { label: 'Algorithm', value: stated(card.algorithm) },
      { label: 'Framework', value: stated(card.framework) },
      { label: 'Output labels', value: stated(card.labels?.join(', ')) },
      { label: 'Lifecycle', value: text(lifecycleText(card.lifecycle)) },
      { label: 'Created at', value: text(card.created_at) },
      { label: 'Created by', value: text(card.created_by) },
      { label: 'Changelog', value: stated(card.changelog) },
    ],
  };
}

/** "Deprecated since … by …: reason." (or "Active."), plus whether the artifact was collected. */
export function lifecycleText(l: ModelCardData['lifecycle']): string {
  const state = l.state.charAt(0).toUpperCase() + l.state.slice(1);
  if (l.changed_at === null) return `${state}.`;
  const by = l.changed_by === null ? '' : ` by ${l.changed_by}`;
  const why = l.reason === null ? '' : `: ${l.reason}`;
  const collected =
    l.artifact === 'collected' ? ` Artifact garbage-collected at ${l.artifact_collected_at ?? '?'}.` : '';
  return `${state} since ${l.changed_at}${by}${why}.${collected}`;
}

function trainingData(card: ModelCardData): Block {
  const ref = card.reference;
  const none: Cell = { text: 'None recorded for this version (no drift monitoring).', gap: true };
  return {
    kind: 'fields',
    items: [
      { label: 'Training data version', value: stated(card.training_data_version) },
      { label: 'Reference data', value: ref ? text(`${ref.rows} rows`) : none },
      ...(ref
        ? [
            { label: 'Reference data sha256', value: code(ref.data_sha256) },
            { label: 'Reference predictions', value: text(predictionSummary(ref.prediction)) },
          ]
        : []),
    ],
  };
}

function predictionSummary(p: Reference['prediction']): string {
  if (p.kind === 'numeric') return `mean ± std ${meanStd(p.mean, p.std)}`;
  return p.top_categories?.length ? `most frequent: ${p.top_categories.join(', ')}` : DASH;
}

function metrics(card: ModelCardData): Block[] {
  const declared = Object.entries(card.declared_metrics).map(([name, value]) => [
    text(name),
    num(fixed(value, 4)),
  ]);
  const names = [...new Set(card.evaluations.flatMap((e) => Object.keys(e.metrics)))];
  const evaluations = card.evaluations.map((e) => [
    text(e.created_at),
    text(e.created_by),
    e.data_name === null ? text(DASH) : text(e.data_name),
    hashPrefix(e.data_sha256),
    num(String(e.rows)),
    code(e.label_column),
    ...names.map((name) => num(fixed(Object.hasOwn(e.metrics, name) ? e.metrics[name] : null, 4))),
  ]);
  const head = ['Evaluated at', 'By', 'Data', 'Data sha256', 'Rows', 'Label column', ...names];
  return [
    { kind: 'heading', text: 'Declared offline metrics (manifest)' },
    table(['Metric', 'Value'], declared, 'Not stated.', [1]),
    { kind: 'heading', text: 'Evaluations recorded by modelgate (newest first)' },
    table(head, evaluations, 'No evaluations recorded.', [4, ...names.map((_, i) => 6 + i)]),
  ];
}

function features(card: ModelCardData): Block {
  const reference = new Map((card.reference?.features ?? []).map((f) => [f.name, f]));
  const rows = card.features.map((f) => [
    code(f.name),
    text(f.type),
    stated(domain(f)),
    text(f.nullable ? 'yes' : 'no'),
    text(referenceSummary(reference.get(f.name))),
    stated(f.description),
  ]);
  const head = ['Name', 'Type', 'Range or categories', 'Nullable', 'Reference (mean ± std)', 'Description'];
  return table(head, rows, 'No features declared.');
}

function domain(f: Feature): string | undefined {
  if (f.values?.length) return f.values.map(String).join(', ');
  if (f.min !== undefined && f.max !== undefined) return `${f.min} to ${f.max}`;
  if (f.min !== undefined) return `≥ ${f.min}`;
  if (f.max !== undefined) return `≤ ${f.max}`;
  return undefined;
}

function referenceSummary(f: ReferenceFeature | undefined): string {
  if (!f) return DASH;
  const missing = f.missing_share > 0 ? `; ${percent(f.missing_share)} missing` : '';
  if (f.kind === 'category') return `${f.top_categories?.join(', ') || DASH}${missing}`;
  const range = f.min !== null && f.min !== undefined && f.max !== null && f.max !== undefined;
  return `${meanStd(f.mean, f.std)}${range ? ` (${significant(f.min)} to ${significant(f.max)})` : ''}${missing}`;
}

function provenance(card: ModelCardData): Block[] {
  const files = card.files.map((f) => [code(f.path), text(f.role), num(bytes(f.size)), code(f.sha256)]);
  return [
    {
      kind: 'fields',
      items: [
        { label: 'Artifact sha256', value: code(card.artifact_sha256) },
        { label: 'Manifest sha256', value: code(card.manifest_sha256) },
        { label: 'Git commit', value: stated(card.git_commit, true) },
        { label: 'Trainer', value: stated(card.trainer) },
        {
          label: 'Aliases',
          value: card.aliases.length ? text(card.aliases.join(', ')) : { text: 'None.', gap: true },
        },
      ],
    },
    { kind: 'heading', text: 'Files' },
    table(['Path', 'Role', 'Size', 'sha256'], files, 'No files listed.', [2]),
  ];
}
