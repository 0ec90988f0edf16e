// The manifest's class labels against the classes the ONNX graph declares, through the real HTTP
// API: a reordered list would answer every prediction with the wrong class name.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  apiError,
  DEMO,
  FIXTURES,
  raw,
  startTestServer,
  SuiteScope,
  type TestServer,
} from '../helpers/server.js';

const SETOSA = { sepal_length: 5.4, sepal_width: 3.9, petal_length: 1.7, petal_width: 0.4 };
const IRIS = ['setosa', 'versicolor', 'virginica'];
const REVERSED = ['virginica', 'versicolor', 'setosa'];

/** A copy of a model folder whose manifest is changed by `edit`; returns the manifest's path. */
function variant(folder: string, edit: (m: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-labels-'));
  cpSync(folder, dir, { recursive: true });
  const path = join(dir, 'manifest.yaml');
  const manifest = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(path, stringify(manifest));
  return path;
}

/** Without smoke tests, which would catch a reordering only if someone wrote one per class. */
const withLabels = (folder: string, labels: unknown, extra: Record<string, unknown> = {}) =>
  variant(folder, (m) => {
    delete m.smoke_tests;
    m.outputs = { ...(m.outputs as object), labels, ...extra };
  });

describe('class labels against the ONNX graph', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => (s = await startTestServer(scope)));
  after(() => scope.run());

  const refusals: Array<[string, string, RegExp]> = [
    [
      'a LinearClassifier with string labels',
      join(FIXTURES, 'iris-linear'),
      /outputs\.labels \[virginica, versicolor, setosa\] are not the model's classes in its order \[setosa, versicolor, virginica\]/,
    ],
    [
      'a softmax whose ZipMap names the classes',
      join(FIXTURES, 'iris-softmax-zipmap'),
      /outputs\.labels \[virginica, versicolor, setosa\] are not the model's classes in its order \[setosa, versicolor, virginica\]/,
    ],
  ];
  for (const [name, folder, detail] of refusals) {
    it(`refuses labels in another order than ${name}, with a 422 naming both lists`, async () => {
      const err = await apiError(s.admin.registerVersion(withLabels(folder, REVERSED)));
      assert.equal(err.status, 422);
      assert.equal(err.code, 'ARTIFACT_INVALID');
      assert.match(err.detail, detail);
    });
  }

  it('answers a setosa flower setosa, natively and over V2, when the labels are in order', async () => {
    assert.deepEqual(
      (await s.admin.listModels()).map((m) => m.name),
      [],
      'the refused versions left nothing behind',
    );
    const r = await s.admin.registerVersion(withLabels(join(FIXTURES, 'iris-linear'), IRIS));
    assert.deepEqual(r.version.signature.labels, IRIS, 'what drift and evaluations read');
    await s.admin.promote('iris', '1.0.0');

    const [p] = (await s.admin.predict('iris', [SETOSA])).predictions;
    assert.equal(p!.label, 'setosa');
    assert.ok(Math.abs(p!.probabilities!.setosa! - 0.9827) < 1e-4, JSON.stringify(p));
    assert.ok(p!.probabilities!.virginica! < 0.001, JSON.stringify(p));

    const v2 = await raw(s, 'POST', '/v2/models/iris/infer', {
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: Object.values(SETOSA) }],
      }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(v2.status, 200, v2.text);
    const outputs = v2.json.outputs as Array<{ name: string; datatype: string; data: unknown[] }>;
    const label = outputs.find((o) => o.name === 'label')!;
    assert.deepEqual([label.datatype, label.data], ['BYTES', ['setosa']]);
    const scores = outputs.find((o) => o.name === 'probabilities')!.data as number[];
    assert.equal(scores.indexOf(Math.max(...scores)), IRIS.indexOf('setosa'));
  });

  it('names integer class ids by a list in graph order or by a map, and refuses the ids reordered', async () => {
    const folder = join(DEMO, '1.0.0');
    const reordered = await apiError(
      s.admin.registerVersion(withLabels(folder, [1, 0], { positive_label: 0 })),
    );
    assert.equal(reordered.code, 'ARTIFACT_INVALID');
    assert.match(
      reordered.detail,
      /\[1, 0\] are the model's class ids in another order than its own \[0, 1\]/,
    );
    const wrongIds = await apiError(
      s.admin.registerVersion(
        withLabels(folder, { 1: 'benign', 2: 'malignant' }, { positive_label: 'malignant' }),
      ),
    );
    assert.equal(wrongIds.code, 'ARTIFACT_INVALID');
    assert.match(wrongIds.detail, /maps ids \[1, 2\] but the model declares class ids \[0, 1\]/);

    // the demo's own manifest says [malignant, benign] for ids [0, 1]; a map says the same by id
    const mapped = variant(folder, (m) => {
      (m.outputs as Record<string, unknown>).labels = { 1: 'benign', 0: 'malignant' };
    });
    const r = await s.admin.registerVersion(mapped);
    assert.deepEqual(r.version.signature.labels, ['malignant', 'benign']);
    await s.admin.promote('breast-cancer', '1.0.0');
    const example = JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
      instances: Array<Record<string, number>>;
    };
    const [p] = (await s.admin.predict('breast-cancer', example.instances)).predictions;
    const smoke = (
      parse(readFileSync(join(folder, 'manifest.yaml'), 'utf8')) as {
        smoke_tests: Array<{ expected: { label: string } }>;
      }
    ).smoke_tests[0]!;
    assert.equal(p!.label, smoke.expected.label);
    assert.equal(p!.label, 'malignant');
    // evaluations read the same names: the metrics scikit-learn computed at training
    const metrics = (
      parse(readFileSync(join(folder, 'manifest.yaml'), 'utf8')) as {
        metrics: Record<string, number>;
      }
    ).metrics;
    const e = await s.admin.evaluate('breast-cancer', '1.0.0', join(DEMO, 'test.csv'), 'target');
    for (const metric of ['accuracy', 'roc_auc', 'f1']) {
      assert.ok(Math.abs(e.metrics[metric]! - metrics[metric]!) < 6e-4, `${metric}: ${e.metrics[metric]}`);
    }
  });
});
