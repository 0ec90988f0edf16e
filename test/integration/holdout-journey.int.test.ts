// The way in with a model the project does not ship: an ONNX file written by the test (one input
// per feature, a softmax with no class names) goes to a served version with `manifest init` and
// no edit beyond its TODO, then a CSV is scored end to end with `modelgate score`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { cliInProcess as cli } from '../helpers/cli.js';
import { softmaxClassifier } from '../helpers/onnx-writer.js';
import { startTestServer } from '../helpers/server.js';

const W = [
  [-0.1, 0.1],
  [0.05, -0.05],
];
const B = [0.5, -0.5];
/** class 0 is "yes" (churns): a name order no sorting would guess */
const NAMES = ['yes', 'no'];

describe('a holdout model from ONNX file to scored CSV', () => {
  it('manifest init names its classes from the sample; the filled draft registers, serves and scores', async (t) => {
    const s = await startTestServer(t);
    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    const dir = mkdtempSync(join(tmpdir(), 'mg-holdout-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const modelDir = join(dir, 'churn');
    mkdirSync(modelDir);
    writeFileSync(join(modelDir, 'model.onnx'), softmaxClassifier(['tenure', 'monthly_charges'], W, B));
    // 400 customers; the label follows the model except every 20th row (noise)
    const rows = Array.from({ length: 400 }, (_, i) => {
      const tenure = (i * 7) % 73;
      const charges = 20 + ((i * 13) % 101);
      const l0 = W[0]![0]! * tenure + W[1]![0]! * charges + B[0]!;
      const l1 = W[0]![1]! * tenure + W[1]![1]! * charges + B[1]!;
      const cls = (l1 > l0 ? 1 : 0) ^ (i % 20 === 19 ? 1 : 0);
      return `c${i},${tenure},${charges},${NAMES[cls]}`;
    });
    const csv = join(modelDir, 'customers.csv');
    writeFileSync(csv, ['id,tenure,monthly_charges,churn', ...rows].join('\n') + '\n');

    const out = join(modelDir, 'manifest.yaml');
    const init = await cli([
      'manifest',
      'init',
      join(modelDir, 'model.onnx'),
      '--out',
      out,
      '--version',
      '1.0.0',
      '--reference',
      csv,
      '--labels-from',
      `${csv}:churn`,
    ]);
    assert.equal(init.code, 0, init.stderr);
    // 5% of the labels are flipped; rows on the decision boundary may fall either way in float32
    const agreement = Number(/the model agrees with ([\d.]+)% of 400 labelled rows/.exec(init.stdout)?.[1]);
    assert.ok(agreement >= 93 && agreement <= 96, init.stdout);
    assert.match(init.stdout, /Fill in the TODO keys \(changelog\)/);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /^# not features \(the model has no input for them\): id$/m);
    writeFileSync(out, text.replace(/^changelog: # TODO:.*$/m, 'changelog: First churn model.'));
    const m = parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      [m.name, m.task, m.outputs, m.reference_data],
      [
        'churn',
        'binary-classification',
        { labels: { '0': 'yes', '1': 'no' }, scores_output: 'probs' },
        'customers.csv',
      ],
    );

    const reg = await cli(['models', 'register', out], env);
    assert.equal(reg.code, 0, reg.stderr);
    assert.equal((await cli(['models', 'promote', 'churn', '1.0.0'], env)).code, 0);

    const scores = join(dir, 'scores.csv');
    const r = await cli(['score', 'churn', '--data', csv, '--out', scores, '--batch-size', '64'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scored 400 rows, 0 errors/);
    const [header, ...lines] = readFileSync(scores, 'utf8').trim().split('\n');
    assert.equal(header, 'row,id,prediction_id,prediction_index,version,label,p_yes,p_no');
    const agree = lines.filter((l, i) => l.split(',')[5] === rows[i]!.split(',')[3]).length;
    // the server answers as the CLI's local check did: the same share of rows agree
    assert.deepEqual([lines.length, lines[0]!.split(',')[1], agree], [400, 'c0', Math.round(agreement * 4)]);
  });
});
