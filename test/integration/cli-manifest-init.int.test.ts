// `modelgate manifest init`: a drafted manifest, its TODOs filled, registers on a real server and
// predicts, for every kind of model the server serves.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { cliInProcess as cli } from '../helpers/cli.js';
import { DEMO, FIXTURES, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

const scope = new SuiteScope();
let s: TestServer;
let env: Record<string, string>;
let dir: string;

before(async () => {
  s = await startTestServer(scope);
  env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
  dir = mkdtempSync(join(tmpdir(), 'mg-init-'));
  scope.after(() => rmSync(dir, { recursive: true, force: true }));
});
after(() => scope.run());

/** A copy of a fixture's files without its manifest. */
function modelDir(from: string, files: string[], name: string): string {
  const to = join(dir, name);
  for (const f of files) cpSync(join(from, f), join(to, f));
  return to;
}

/** A CSV of a fixture's smoke-test inputs, with their expected labels in a `species` column. */
function smokeCsv(fixture: string, labelOf?: (label: string) => string): string {
  const m = parse(readFileSync(join(FIXTURES, fixture, 'manifest.yaml'), 'utf8')) as {
    smoke_tests: Array<{ input: Record<string, unknown>; expected: { label?: string } }>;
  };
  const names = Object.keys(m.smoke_tests[0]!.input);
  const label = labelOf ? ['species'] : [];
  const rows = m.smoke_tests.map((t) =>
    [...names.map((n) => String(t.input[n])), ...(labelOf ? [labelOf(t.expected.label!)] : [])].join(','),
  );
  return [[...names, ...label].join(','), ...rows].join('\n') + '\n';
}

/** Fills the draft's TODOs as a person would: a version and a changelog line. */
function fillTodos(path: string): void {
  const text = readFileSync(path, 'utf8')
    .replace(/^version: TODO # TODO:.*$/m, 'version: 1.0.0')
    .replace(/^changelog: # TODO:.*$/m, 'changelog: First version, drafted by manifest init.');
  assert.doesNotMatch(text, /# TODO/);
  writeFileSync(path, text);
}

async function initRegisterPredict(
  modelPath: string,
  args: string[],
  instance: Record<string, unknown>,
): Promise<{ manifest: Record<string, unknown>; prediction: Record<string, unknown>; stderr: string }> {
  const out = join(modelPath, '..', 'manifest.yaml');
  const init = await cli(['manifest', 'init', modelPath, '--out', out, ...args]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /Fill in the TODO keys \((version, )?changelog\)/);
  fillTodos(out);
  const reg = await cli(['models', 'register', out], env);
  assert.equal(reg.code, 0, reg.stderr);
  const manifest = parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  const name = manifest.name as string;
  const p = await cli(['predict', name, '1.0.0', '--data', JSON.stringify(instance), '--json'], env);
  assert.equal(p.code, 0, p.stderr);
  const body = JSON.parse(p.stdout) as { predictions: Array<Record<string, unknown>> };
  return { manifest, prediction: body.predictions[0]!, stderr: init.stderr };
}

describe('modelgate manifest init', () => {
  it('a tree classifier with id classes: names them from --labels-from and predicts with the names', async () => {
    const d = modelDir(join(DEMO, '1.1.0'), ['model.onnx', 'reference.csv'], 'bc');
    const row = readFileSync(join(DEMO, 'test.csv'), 'utf8').split('\n');
    const header = row[0]!.split(',');
    const values = row[2]!.split(',').map(Number); // a malignant row
    const instance = Object.fromEntries(header.slice(0, 30).map((h, i) => [h, values[i]]));
    const { manifest, prediction, stderr } = await initRegisterPredict(
      join(d, 'model.onnx'),
      [
        '--name',
        'bc-init',
        '--reference',
        join(d, 'reference.csv'),
        '--labels-from',
        `${join(d, 'reference.csv')}:target`,
      ],
      instance,
    );
    assert.equal(manifest.task, 'binary-classification');
    assert.equal(manifest.reference_data, 'reference.csv');
    assert.deepEqual((manifest.outputs as { labels: unknown }).labels, { '0': 'malignant', '1': 'benign' });
    assert.equal((manifest.features as Array<{ name: string }>).length, 30);
    assert.equal((manifest.smoke_tests as unknown[]).length, 3);
    assert.equal(prediction.label, 'malignant');
    // the demo forest's label output and its probabilities disagree (its manifest sets a threshold)
    assert.equal(
      stderr,
      "warning: on 92 of 426 sample rows the graph's 'label' output is not the most probable class (see the comment above outputs)\n",
    );
  });

  it('a linear classifier with string classes, features named by a CSV', async () => {
    const d = modelDir(join(FIXTURES, 'iris-linear'), ['model.onnx'], 'iris');
    writeFileSync(
      join(d, 'sample.csv'),
      smokeCsv('iris-linear', (l) => l),
    );
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--version', '1.0.0', '--labels-from', `${join(d, 'sample.csv')}:species`],
      { sepal_length: 5.4, sepal_width: 3.9, petal_length: 1.7, petal_width: 0.4 },
    );
    assert.equal(manifest.name, 'iris');
    assert.deepEqual(manifest.outputs, {
      labels: ['setosa', 'versicolor', 'virginica'],
      label_output: 'label',
      scores_output: 'probabilities',
    });
    assert.equal(prediction.label, 'setosa');
  });

  it('an MLP with external data and no CSV: features named after the input', async () => {
    const d = modelDir(join(FIXTURES, 'wine-mlp-external'), ['model.onnx', 'model.onnx.data'], 'wine');
    const row = [13.69, 3.26, 2.54, 20, 107, 1.83, 0.56, 0.5, 0.8, 5.88, 0.96, 1.82, 680];
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--version', '1.0.0'],
      Object.fromEntries(row.map((v, i) => [`input_${i}`, v])),
    );
    assert.deepEqual(manifest.external_data, ['model.onnx.data']);
    assert.equal(manifest.task, 'multiclass-classification');
    assert.deepEqual(manifest.outputs, { scores_output: 'probs' });
    assert.equal(prediction.label, '2');
  });

  it('a softmax with unnamed columns: --labels-from names them by the rows they predict', async () => {
    const d = modelDir(join(FIXTURES, 'wine-mlp-external'), ['model.onnx', 'model.onnx.data'], 'wine-named');
    const cultivar: Record<string, string> = { class_0: 'barolo', class_1: 'grignolino', class_2: 'barbera' };
    writeFileSync(
      join(d, 'sample.csv'),
      smokeCsv('wine-mlp-external', (l) => cultivar[l]!),
    );
    const row = [13.69, 3.26, 2.54, 20, 107, 1.83, 0.56, 0.5, 0.8, 5.88, 0.96, 1.82, 680];
    const names = Object.keys(
      (
        parse(readFileSync(join(FIXTURES, 'wine-mlp-external', 'manifest.yaml'), 'utf8')) as {
          smoke_tests: Array<{ input: Record<string, unknown> }>;
        }
      ).smoke_tests[0]!.input,
    );
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--name', 'wine-named', '--version', '1.0.0', '--labels-from', `${join(d, 'sample.csv')}:species`],
      Object.fromEntries(names.map((n, i) => [n, row[i]])),
    );
    assert.deepEqual(manifest.outputs, {
      labels: { '0': 'barolo', '1': 'grignolino', '2': 'barbera' },
      scores_output: 'probs',
    });
    assert.equal(prediction.label, 'barbera');
  });

  it('one input per feature: integer, number, boolean and category (values from the CSV)', async () => {
    const d = modelDir(join(FIXTURES, 'mixed-inputs'), ['model.onnx'], 'insurance');
    writeFileSync(join(d, 'sample.csv'), smokeCsv('mixed-inputs'));
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--name', 'insurance-init', '--version', '1.0.0', '--reference', join(d, 'sample.csv')],
      { age: 65, bmi: 33.349575, smoker: false, region: 'west' },
    );
    assert.deepEqual(
      (manifest.features as Array<{ name: string; type: string; values?: string[] }>).map((f) => [
        f.name,
        f.type,
        f.values,
      ]),
      [
        ['age', 'integer', undefined],
        ['bmi', 'number', undefined],
        ['smoker', 'boolean', undefined],
        ['region', 'category', ['west', 'south', 'east']],
      ],
    );
    assert.equal(manifest.task, 'regression');
    assert.ok(Math.abs((prediction.value as number) - 27688.8927) < 0.01, String(prediction.value));
  });

  it('a tree regressor', async () => {
    const d = modelDir(join(FIXTURES, 'diabetes-regressor'), ['model.onnx'], 'diabetes');
    const names = ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'];
    const row = [
      0.016280675, -0.044641636, 0.020739349, 0.021872386, -0.013952536, -0.013213519, -0.006584468,
      -0.002592262, 0.013316905, 0.04034337,
    ];
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--version', '1.0.0'],
      Object.fromEntries(names.map((_, i) => [`input_${i}`, row[i]])),
    );
    assert.deepEqual([manifest.task, manifest.outputs], ['regression', { value_output: 'variable' }]);
    assert.ok(Math.abs((prediction.value as number) - 189.147) < 0.01, String(prediction.value));
  });

  it('a softmax beside a ZipMap: serves the plain tensor', async () => {
    const d = modelDir(join(FIXTURES, 'iris-softmax-zipmap'), ['model.onnx'], 'iris-zipmap');
    const { manifest, prediction } = await initRegisterPredict(
      join(d, 'model.onnx'),
      ['--version', '1.0.0'],
      {
        input_0: 6.2,
        input_1: 3.4,
        input_2: 5.4,
        input_3: 2.3,
      },
    );
    assert.deepEqual(manifest.outputs, {
      labels: ['setosa', 'versicolor', 'virginica'],
      scores_output: 'probabilities',
    });
    assert.equal(prediction.label, 'virginica');
  });

  it('catches labels in another order than the model classes, and writes nothing', async () => {
    const d = modelDir(join(FIXTURES, 'iris-linear'), ['model.onnx'], 'iris-swapped');
    const swap: Record<string, string> = {
      setosa: 'virginica',
      virginica: 'setosa',
      versicolor: 'versicolor',
    };
    writeFileSync(
      join(d, 'sample.csv'),
      smokeCsv('iris-linear', (l) => swap[l]!),
    );
    const out = join(d, 'manifest.yaml');
    const r = await cli([
      'manifest',
      'init',
      join(d, 'model.onnx'),
      '--out',
      out,
      '--labels-from',
      `${join(d, 'sample.csv')}:species`,
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: INPUT_INVALID: .*sample\.csv:species: label order mismatch: of the 1 rows the model predicts as 'setosa', 1 are labelled 'virginica' and 0 'setosa'/,
    );
    assert.throws(() => readFileSync(out), /ENOENT/);
  });

  it('a draft with its TODOs is refused at registration, naming the keys', async () => {
    const d = modelDir(join(FIXTURES, 'iris-linear'), ['model.onnx'], 'iris-todo');
    const out = join(d, 'manifest.yaml');
    assert.equal(
      (await cli(['manifest', 'init', join(d, 'model.onnx'), '--out', out, '--name', 'iris-todo'])).code,
      0,
    );
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^version: TODO # TODO: a semantic version/m);
    assert.match(text, /^changelog: # TODO: what this version changes/m);
    const r = await cli(['models', 'register', out], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: MANIFEST_INVALID: \/changelog: must be string/);
    writeFileSync(out, text.replace(/^changelog: # TODO:.*$/m, 'changelog: filled'));
    const v = await cli(['models', 'register', out], env);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /^error: MANIFEST_INVALID: \/version: 'TODO' is not a semantic version/);
  });

  it('--out refuses to overwrite without --force', async () => {
    const d = modelDir(join(FIXTURES, 'diabetes-regressor'), ['model.onnx'], 'overwrite');
    const out = join(d, 'manifest.yaml');
    writeFileSync(out, 'mine\n');
    const r = await cli(['manifest', 'init', join(d, 'model.onnx'), '--out', out]);
    assert.deepEqual(
      [r.code, r.stderr],
      [1, `error: FILE_ERROR: ${out} exists; give --force to overwrite it\n`],
    );
    assert.equal(readFileSync(out, 'utf8'), 'mine\n');
    const f = await cli(['manifest', 'init', join(d, 'model.onnx'), '--out', out, '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.match(readFileSync(out, 'utf8'), /^task: regression/m);
  });
});
