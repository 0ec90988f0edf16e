import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { fileError, ModelgateLocalError } from '../../client/local-files.js';
import { readCsvDataset } from '../../modules/datasets/csv-dataset.js';
import { MODEL_NAME_PATTERN, type Manifest, type SmokeTest } from '../../modules/registry/manifest.js';
import { isSafeRelativePath, validateManifest } from '../../modules/registry/validate-manifest.js';
import { createLoadedModel } from '../../modules/serving/create-loaded-model.js';
import type { LoadedModel } from '../../modules/serving/loaded-model.js';
import { inspectOnnx, OnnxFormatError } from '../../modules/serving/onnx-inspect.js';
import { profileCsv, splitFileColumn, type CsvProfile } from './csv-profile.js';
import { draftFeatures } from './draft-features.js';
import { draftOutputs } from './draft-outputs.js';
import { matchLabels } from './match-labels.js';
import { renderManifest, type DraftEntry } from './render-manifest.js';

export interface InitOptions {
  model: string;
  out: string;
  name?: string;
  version?: string;
  reference?: string;
  labelsFrom?: string;
}

export interface InitResult {
  yaml: string;
  todos: string[];
  /** the graph's label output against its own probabilities on the sample, when they disagree */
  disagreement?: { rows: number; of: number; labelOutput: string };
  /** the label check, when --labels-from was given */
  labels?: { agreement: number; rows: number };
}

const SMOKE_ROWS = 3;
const read = (path: string, role: string) => {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(err, path, role);
  }
};

/**
 * Drafts a manifest for an ONNX file, then loads it exactly as the server will (same schema, same
 * loader, same smoke tests), so a draft whose TODOs are filled registers as it is.
 */
export async function initManifest(o: InitOptions): Promise<InitResult> {
  const outDir = dirname(resolve(o.out));
  const artifact = relativeBelow(outDir, resolve(o.model), 'the model');
  const bytes = read(o.model, 'the model');
  const inspection = inspectModel(bytes, o.model);
  const files = new Map<string, Uint8Array>([[basename(o.model), bytes]]);
  for (const location of inspection.externalDataLocations)
    files.set(location, read(join(dirname(o.model), location), 'external data of the model'));

  const session = await openSession(bytes, files, o.model);
  const labelSpec = o.labelsFrom ? splitFileColumn(o.labelsFrom, '--labels-from') : undefined;
  const reference = o.reference
    ? profileCsv(read(o.reference, 'reference data').toString('utf8'), o.reference)
    : undefined;
  const labelCsv =
    labelSpec && resolve(labelSpec.file) === (o.reference && resolve(o.reference))
      ? reference
      : labelSpec && profileCsv(read(labelSpec.file, '--labels-from').toString('utf8'), labelSpec.file);
  if (labelSpec && !labelCsv!.columns.some((c) => c.name === labelSpec.column))
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${labelSpec.file} has no column '${labelSpec.column}'`,
      labelSpec.file,
    );
  const featureCsv = reference ?? labelCsv;
  const exclude = new Set(labelSpec ? [labelSpec.column] : []);
  const features = draftFeatures(session.inputMetadata, featureCsv, exclude);
  const outputs = draftOutputs(session.outputMetadata, inspection);
  await session.release();

  const name = o.name ?? defaultName(o.model);
  const check: Manifest = {
    name: name ?? 'draft',
    version: o.version ?? '0.0.0',
    task: outputs.task ?? 'regression',
    artifact,
    ...(inspection.externalDataLocations.length > 0
      ? {
          external_data: inspection.externalDataLocations.map((l) =>
            join(dirname(artifact), l).split(sep).join('/'),
          ),
        }
      : {}),
    changelog: 'draft',
    features: features.features.map((f) => f.feature),
    outputs: outputs.outputs,
  };
  let labels: InitResult['labels'];
  let smokeTests: SmokeTest[] = [];
  let disagreement: InitResult['disagreement'];
  if (outputs.task !== undefined) {
    let model = await load(check, files, basename(o.model));
    try {
      if (labelSpec && labelCsv) {
        const match = await labelMatch(model, labelCsv, labelSpec, outputs.graphLabels, o.model);
        if (match.labels) {
          const { labels: _graphs, ...rest } = check.outputs ?? {};
          check.outputs = { labels: match.labels, ...rest };
        }
        labels = { agreement: match.agreement, rows: match.rows };
        await model.release();
        model = await load(check, files, basename(o.model));
      }
      if (featureCsv) {
        smokeTests = await draftSmokeTests(model, featureCsv);
        disagreement = await labelAgainstScores(model, featureCsv);
      }
    } finally {
      await model.release();
    }
    if (smokeTests.length > 0)
      await (await load({ ...check, smoke_tests: smokeTests }, files, basename(o.model))).release();
  }

  const referenceData = o.reference ? relativeOrUndefined(outDir, resolve(o.reference)) : undefined;
  const entries: DraftEntry[] = [
    name
      ? { key: 'name', value: name, ...(o.name ? {} : { inline: "from the model's file or folder name" }) }
      : { key: 'name', todo: `the model's name (${MODEL_NAME_PATTERN})`, placeholder: 'TODO' },
    o.version
      ? { key: 'version', value: o.version }
      : { key: 'version', todo: 'a semantic version, e.g. 1.0.0', placeholder: 'TODO' },
    outputs.task
      ? { key: 'task', value: outputs.task, inline: outputs.taskNote }
      : {
          key: 'task',
          todo: `binary-classification, multiclass-classification or regression: ${outputs.taskNote}`,
          placeholder: 'TODO',
        },
    { key: 'artifact', value: artifact },
    ...(check.external_data
      ? [
          {
            key: 'external_data',
            value: check.external_data,
            notes: ['the weights the graph stores outside model.onnx'],
          },
        ]
      : []),
    { key: 'changelog', todo: 'what this version changes, one line is enough', placeholder: null },
    ...(inspection.producer
      ? [{ key: 'framework', value: inspection.producer, inline: "the ONNX file's producer" }]
      : [{ key: 'framework', optional: 'e.g. scikit-learn 1.5 (skl2onnx 1.17)' }]),
    { key: 'algorithm', optional: 'e.g. RandomForestClassifier' },
    { key: 'training_data_version', optional: 'where the training data came from' },
    { key: 'git_commit', optional: "the trainer's commit" },
    {
      key: 'features',
      features: features.features,
      notes: [
        `Features ${features.source}.`,
        ...(features.ignored.length > 0
          ? [`not features (the model has no input for them): ${features.ignored.join(', ')}`]
          : []),
      ],
    },
    ...(Object.keys(check.outputs ?? {}).length > 0
      ? [
          {
            key: 'outputs',
            value: check.outputs,
            notes: [
              ...outputsNotes(outputs, labels, labelSpec),
              ...(disagreement ? [disagreementNote(disagreement, featureCsv!.file)] : []),
            ],
          },
        ]
      : []),
    ...(smokeTests.length > 0
      ? [
          {
            key: 'smoke_tests',
            value: smokeTests,
            notes: [
              `rows of ${featureCsv!.file} with this model's own answers: they pin today's behaviour, so a re-export that changes it is refused`,
            ],
          },
        ]
      : [
          {
            key: 'smoke_tests',
            optional: 'inputs with expected outputs, run before the version takes traffic',
          },
        ]),
    { key: 'metrics', optional: 'offline evaluation, e.g. {accuracy: 0.95, roc_auc: 0.98}' },
    { key: 'intended_use', optional: 'who should use the model, for what' },
    { key: 'limitations', optional: 'where it is known to be wrong' },
    ...(referenceData
      ? [
          {
            key: 'reference_data',
            value: referenceData,
            notes: ['the drift reference profile is computed from this sample'],
          },
        ]
      : o.reference
        ? [
            {
              key: 'reference_data',
              optional: `${o.reference} is outside this folder: copy it beside the manifest to use it`,
            },
          ]
        : []),
  ];
  const todos = entries.filter((e) => 'todo' in e).map((e) => e.key);
  const opsets = inspection.opsets.map((s) => `${s.domain || 'ai.onnx'} ${s.version}`).join(', ');
  const header = [
    `Drafted by \`modelgate manifest init\` from ${basename(o.model)} (IR version ${inspection.irVersion}; opsets ${opsets}).`,
    'Every key marked TODO needs a value: registration refuses the file, naming the key, until it has one.',
    'Reference: docs/manifest.md. Checked: the server loads this model with these features and outputs.',
  ];
  return {
    yaml: renderManifest(header, entries),
    todos,
    ...(labels ? { labels } : {}),
    ...(disagreement ? { disagreement } : {}),
  };
}

function inspectModel(bytes: Uint8Array, path: string) {
  try {
    return inspectOnnx(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError)
      throw new ModelgateLocalError('INPUT_INVALID', `${path}: not an ONNX model (${err.message})`, path);
    throw err;
  }
}

async function openSession(
  bytes: Uint8Array,
  files: Map<string, Uint8Array>,
  path: string,
): Promise<InferenceSession> {
  const externalData = [...files].slice(1).map(([p, data]) => ({ path: p, data }));
  try {
    return await InferenceSession.create(bytes, { externalData, logSeverityLevel: 3 });
  } catch (err) {
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${path}: ONNX Runtime cannot load it (${String(err).split('\n')[0]})`,
      path,
    );
  }
}

/** Validates and loads as the server does: a refusal here is the one registration would give. */
async function load(
  manifest: Manifest,
  files: Map<string, Uint8Array>,
  mainPath: string,
): Promise<LoadedModel> {
  validateManifest(manifest);
  return createLoadedModel({
    identity: { model: manifest.name, version: manifest.version, artifactSha256: '', task: manifest.task },
    manifest,
    files,
    mainPath,
    threads: 1,
  });
}

async function labelMatch(
  model: LoadedModel,
  csv: CsvProfile,
  spec: { file: string; column: string },
  graphLabels: Array<string | number> | undefined,
  modelPath: string,
) {
  if (model.outputs.kind !== 'classification')
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `--labels-from: ${modelPath} is not a classifier`,
      modelPath,
    );
  const data = readCsvDataset(csvText(csv), model.signature.features, {
    what: spec.file,
    code: 'DATA_INVALID',
    labelColumn: spec.column,
  });
  const predicted: string[] = [];
  for (let i = 0; i < data.rows.length; i += 1000) {
    const { predictions } = await model.predict(data.rows.slice(i, i + 1000));
    for (const p of predictions) predicted.push('label' in p ? p.label : String(p.value));
  }
  const named = graphLabels !== undefined && typeof graphLabels[0] === 'string';
  return matchLabels(model.outputs.labels, named, predicted, data.labels!, `${spec.file}:${spec.column}`);
}

/**
 * Rows of the sample whose label (from the graph's label output) is not the class with the
 * highest probability. Tree ensembles exported with float32 thresholds, or a label computed by
 * another rule than the probabilities, disagree; the served answer would then contradict itself.
 */
async function labelAgainstScores(model: LoadedModel, csv: CsvProfile): Promise<InitResult['disagreement']> {
  const plan = model.outputs;
  if (plan.kind !== 'classification' || !plan.labelOutput || !plan.scoresOutput || plan.positive)
    return undefined;
  const data = readCsvDataset(csvText(csv, 1000), model.signature.features, {
    what: csv.file,
    code: 'DATA_INVALID',
  });
  const rows = data.rows.filter((row) => model.validate([row]).length === 0);
  if (rows.length === 0) return undefined;
  const { predictions } = await model.predict(rows);
  const disagree = predictions.filter((p) => {
    if (!('label' in p) || !p.probabilities) return false;
    const top = Object.entries(p.probabilities).sort((a, b) => b[1] - a[1])[0];
    return top !== undefined && top[0] !== p.label && top[1] > (p.probabilities[p.label] ?? 0);
  }).length;
  return disagree > 0 ? { rows: disagree, of: rows.length, labelOutput: plan.labelOutput } : undefined;
}

function disagreementNote(d: NonNullable<InitResult['disagreement']>, file: string): string {
  return `WARNING: on ${d.rows} of ${d.of} rows of ${file} the graph's '${d.labelOutput}' output is not the most probable class; to answer with the probabilities instead, set positive_label and threshold (binary)`;
}

/** Up to three rows, one per predicted class first, with the model's answers as expectations. */
async function draftSmokeTests(model: LoadedModel, csv: CsvProfile): Promise<SmokeTest[]> {
  const data = readCsvDataset(csvText(csv, 200), model.signature.features, {
    what: csv.file,
    code: 'DATA_INVALID',
  });
  const valid = data.rows
    .map((row, i) => ({ row, i }))
    .filter(({ row }) => model.validate([row]).length === 0);
  const { predictions } =
    valid.length > 0 ? await model.predict(valid.map((v) => v.row)) : { predictions: [] };
  const chosen: number[] = [];
  const seen = new Set<string>();
  predictions.forEach((p, k) => {
    const cls = 'label' in p ? p.label : '';
    if (chosen.length >= SMOKE_ROWS || seen.has(cls)) return;
    seen.add(cls);
    chosen.push(k);
  });
  for (let k = 0; k < predictions.length && chosen.length < SMOKE_ROWS; k++)
    if (!chosen.includes(k)) chosen.push(k);
  return chosen.map((k) => {
    const p = predictions[k]!;
    const expected =
      'value' in p
        ? { value: round(p.value) }
        : {
            label: p.label,
            ...(p.probabilities
              ? {
                  probabilities: Object.fromEntries(
                    Object.entries(p.probabilities).map(([c, v]) => [c, round(v)]),
                  ),
                }
              : {}),
          };
    return {
      name: `${basename(csv.file)}-row-${valid[k]!.i + 1}`,
      input: valid[k]!.row,
      expected,
      tolerance: 0.0001,
    };
  });
}

const round = (v: number) => Number(v.toPrecision(6));

/** The profile's rows back as CSV text, for the server's own CSV reader (typed by the features). */
function csvText(csv: CsvProfile, limit = Infinity): string {
  const names = csv.columns.map((c) => c.name);
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const rows = csv.rows.slice(0, limit).map((r) => names.map((n) => cell(r[n] ?? '')).join(','));
  return [names.map(cell).join(','), ...rows].join('\n');
}

function outputsNotes(
  outputs: ReturnType<typeof draftOutputs>,
  labels: InitResult['labels'],
  spec: { file: string; column: string } | undefined,
): string[] {
  const notes = [...outputs.notes];
  if (labels && spec)
    notes.push(
      `labels checked against ${spec.file}:${spec.column}: the model agrees with ${(labels.agreement * 100).toFixed(1)}% of its ${labels.rows} rows`,
    );
  else if (outputs.graphLabels && typeof outputs.graphLabels[0] === 'number')
    notes.push(
      `the graph's classes are ids (${outputs.graphLabels.join(', ')}): name them with labels: {${outputs.graphLabels.map((l) => `${l}: name`).join(', ')}} (optional; --labels-from data.csv:column finds them)`,
    );
  else if (outputs.task !== 'regression' && !outputs.graphLabels)
    notes.push(
      'the graph does not name its classes: add labels in score-column order (optional; --labels-from finds them)',
    );
  if (outputs.task === 'binary-classification')
    notes.push(
      outputs.outputs.label_output
        ? `binary: the label is the graph's '${outputs.outputs.label_output}' output; with positive_label and threshold (optional) it is "probability of positive_label >= threshold" instead`
        : 'binary: positive_label (default: the second class) and threshold (default 0.5) are optional',
    );
  return notes;
}

function relativeBelow(from: string, to: string, what: string): string {
  const rel = relativeOrUndefined(from, to);
  if (rel === undefined)
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${what} (${to}) must be in the manifest's folder or below it: write --out into ${dirname(to)}`,
      to,
    );
  return rel;
}

function relativeOrUndefined(from: string, to: string): string | undefined {
  const rel = relative(from, to).split(sep).join('/');
  return !isAbsolute(rel) && isSafeRelativePath(rel) ? rel : undefined;
}

/** The model's folder name, or its file name, when it is a valid model name. */
function defaultName(path: string): string | undefined {
  const file = basename(path).replace(/\.onnx$/i, '');
  const candidates = file === 'model' ? [basename(dirname(resolve(path)))] : [file];
  const re = new RegExp(MODEL_NAME_PATTERN);
  return candidates.map((c) => c.toLowerCase().replace(/[^a-z0-9-]+/g, '-')).find((c) => re.test(c));
}
