// Adaptive batching on a real ONNX Runtime session (the demo forest): concurrent requests share a
// run and get exactly the answers they get alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Manifest } from '../registry/manifest.js';
import { Tensor } from 'onnxruntime-node';
import { createLoadedModel } from './create-loaded-model.js';
import type { LoadedModel } from './loaded-model.js';

const DEMO = new URL('../../../models/demo/breast-cancer/', import.meta.url);
const manifest = parse(readFileSync(new URL('1.0.0/manifest.yaml', DEMO), 'utf8')) as Manifest;
const files = new Map([['model.onnx', readFileSync(new URL('1.0.0/model.onnx', DEMO))]]);

/** The demo's held-out rows as records. */
function testRows(): Array<Record<string, unknown>> {
  const [header, ...lines] = readFileSync(new URL('test.csv', DEMO), 'utf8').trim().split('\n');
  const names = header!.split(',');
  const features = new Set(manifest.features!.map((f) => f.name));
  return lines.map((line): Record<string, unknown> => {
    const cells = line.split(',');
    return Object.fromEntries<unknown>(
      names.map((n, i): [string, number] => [n, Number(cells[i])]).filter(([n]) => features.has(n)),
    );
  });
}

describe('LoadedModel with adaptive batching (real ONNX Runtime)', () => {
  let model: LoadedModel;
  let alone: LoadedModel;
  const runs: Array<[number, number]> = [];
  before(async () => {
    const load = (maxRows: number, onBatch?: (q: number, r: number) => void) =>
      createLoadedModel({
        identity: { model: 'breast-cancer', version: '1.0.0', artifactSha256: 'x', task: manifest.task },
        manifest,
        files,
        mainPath: 'model.onnx',
        threads: 1,
        batching: { maxRows, maxWaitMs: 0 },
        ...(onBatch ? { onBatch } : {}),
      });
    model = await load(64, (q, r) => runs.push([q, r]));
    alone = await load(1);
  });
  after(async () => {
    await model.release();
    await alone.release();
  });

  it('answers 40 concurrent requests in a few runs, each exactly as it is answered alone', async () => {
    const rows = testRows().slice(0, 40);
    assert.equal(rows.length, 40);
    const expected = [];
    for (const row of rows) expected.push((await alone.predict([row])).predictions);
    runs.length = 0;
    const answers = await Promise.all(rows.map((row) => model.predict([row])));
    assert.deepEqual(
      answers.map((a) => a.predictions),
      expected,
    );
    // one turn of the loop: all 40 in one run (at most 64 rows)
    assert.deepEqual(runs, [[40, 40]]);
    // the labels are not all the same: the slicing back per request is checked, not just the count
    assert.equal(new Set(expected.map((p) => (p[0] as { label: string }).label)).size, 2);
  });

  it('keeps multi-row requests whole and in order inside a run', async () => {
    const rows = testRows();
    const requests = [rows.slice(0, 3), rows.slice(3, 10), rows.slice(10, 11)];
    runs.length = 0;
    const answers = await Promise.all(requests.map((r) => model.predict(r)));
    const whole = (await alone.predict(rows.slice(0, 11))).predictions;
    assert.deepEqual(
      answers.map((a) => a.predictions.length),
      [3, 7, 1],
    );
    assert.deepEqual(
      answers.flatMap((a) => a.predictions),
      whole,
    );
    assert.deepEqual(runs, [[3, 11]]);
  });

  it('joins concurrent V2 tensor requests into one run and cuts each output back', async () => {
    const rows = testRows();
    const input = model.tensorMetadata().inputs[0]!.name;
    const width = manifest.features!.length;
    const feedsOf = (part: Array<Record<string, unknown>>) => ({
      [input]: new Tensor(
        'float32',
        Float32Array.from(part.flatMap((r) => manifest.features!.map((f) => r[f.name] as number))),
        [part.length, width],
      ),
    });
    const fetches = model.tensorMetadata().outputs.map((o) => o.name);
    const parts = [rows.slice(0, 2), rows.slice(2, 3), rows.slice(3, 8)];
    const expected: Array<Record<string, unknown>> = [];
    for (const p of parts) expected.push((await alone.runTensors(feedsOf(p), fetches)).outputs);
    runs.length = 0;
    const answers = await Promise.all(parts.map((p) => model.runTensors(feedsOf(p), fetches)));
    assert.deepEqual(runs, [[3, 8]]);
    answers.forEach((a, i) => {
      for (const name of fetches) {
        const got = a.outputs[name] as Tensor;
        const want = expected[i]![name] as Tensor;
        assert.deepEqual(
          [got.dims, Array.from(got.data as ArrayLike<unknown>)],
          [want.dims, Array.from(want.data as ArrayLike<unknown>)],
        );
      }
    });
  });

  it('runs V2 requests whose tensors differ each on its own, answering both', async () => {
    const rows = testRows();
    const input = model.tensorMetadata().inputs[0]!.name;
    const width = manifest.features!.length;
    const fetches = model.tensorMetadata().outputs.map((o) => o.name);
    const feeds = new Tensor(
      'float32',
      Float32Array.from(rows.slice(0, 2).flatMap((r) => manifest.features!.map((f) => r[f.name] as number))),
      [2, width],
    );
    runs.length = 0;
    const [a, b] = await Promise.all([
      model.runTensors({ [input]: feeds }, fetches),
      model.runTensors({ [input]: feeds }, fetches.slice(0, 1)),
    ]);
    assert.deepEqual([Object.keys(a.outputs).length, Object.keys(b.outputs)], [fetches.length, [fetches[0]]]);
    assert.deepEqual(runs, [
      [1, 2],
      [1, 2],
    ]);
  });
});
