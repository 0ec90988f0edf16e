import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DriftReport } from '../../src/modules/monitoring/drift-report-data.js';
import { demoRows } from '../helpers/demo-data.js';
import { apiError, DEMO, FIXTURES, raw, startTestServer, type TestServer } from '../helpers/server.js';

const json = { 'content-type': 'application/json' };

async function send(s: TestServer, rows: Array<Record<string, number>>): Promise<void> {
  for (let i = 0; i < rows.length; i += 25) {
    const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      body: JSON.stringify({ instances: rows.slice(i, i + 25) }),
      headers: json,
    });
    assert.equal(r.status, 200, r.text);
  }
}

/** The same rows as V2 tensors ([n, 30] FP32 in feature order), asking only for `outputs`. */
async function sendV2(s: TestServer, rows: Array<Record<string, number>>, outputs: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 25) {
    const batch = rows.slice(i, i + 25);
    const r = await raw(s, 'POST', '/v2/models/breast-cancer/infer', {
      body: JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [batch.length, 30],
            datatype: 'FP32',
            data: batch.flatMap((row) => Object.values(row)),
          },
        ],
        outputs: outputs.map((name) => ({ name })),
      }),
      headers: json,
    });
    assert.equal(r.status, 200, r.text);
  }
}

async function drift(s: TestServer, query = ''): Promise<DriftReport> {
  const r = await raw(s, 'GET', `/v1/models/breast-cancer/drift${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json as unknown as DriftReport;
}

/** A server with the demo model (registered with its reference data) in production. */
async function demo(t: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  // the held-out files have 143 rows: verdicts from 100 live rows on
  const s = await startTestServer(t, { env: { MODELGATE_DRIFT_MIN_SAMPLES: '100' } });
  await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  return s;
}

const verdicts = (r: DriftReport) => Object.fromEntries(r.columns.map((c) => [c.feature, c.verdict]));

describe('drift of live traffic against the reference profile', () => {
  it('flags the one feature moved by a standard deviation, and no other', async (t) => {
    const s = await demo(t);
    await send(s, demoRows('shifted.csv').slice(0, 50));
    const before = await drift(s);
    assert.equal(before.window.rows, 50);
    assert.ok(before.columns.every((c) => c.verdict === 'insufficient_data'));

    await send(s, demoRows('shifted.csv').slice(50));
    const r = await drift(s);
    assert.equal(r.model, 'breast-cancer');
    assert.equal(r.version, '1.0.0');
    assert.equal(r.window.rows, 143);
    assert.equal(r.reference.rows, 426);
    assert.match(r.reference.data_sha256, /^[0-9a-f]{64}$/);
    assert.equal(r.columns.length, 31);
    const radius = r.columns.find((c) => c.feature === 'mean_radius')!;
    assert.equal(radius.verdict, 'drift', JSON.stringify(radius));
    assert.ok(radius.psi! > 0.25, String(radius.psi));
    assert.ok(radius.p_adjusted! < 1e-6, String(radius.p_adjusted));
    assert.equal(radius.test, 'ks');
    // the live mean moved by about one reference standard deviation
    const moved = (radius.live.mean! - radius.reference.mean!) / radius.reference.std!;
    assert.ok(moved > 0.8 && moved < 1.2, String(moved));
    assert.deepEqual(r.summary.drifted_features, ['mean_radius'], JSON.stringify(verdicts(r)));
    // the distributions the report draws: decile bins, shares summing to 1 on both sides
    assert.equal(radius.bins.length, 10);
    assert.equal(radius.bins[0]!.label.startsWith('(-∞, '), true);
    const sum = (k: 'reference' | 'live') => radius.bins.reduce((a, b) => a + b[k], 0);
    assert.ok(Math.abs(sum('reference') - 1) < 1e-9 && Math.abs(sum('live') - 1) < 1e-9);

    // exported for Prometheus: the verdict and the score per feature
    const metrics = (await raw(s, 'GET', '/metrics')).text;
    assert.match(
      metrics,
      /modelgate_drift_verdict\{model="breast-cancer",version="1\.0\.0",feature="mean_radius",verdict="drift"\} 1/,
    );
    assert.match(
      metrics,
      /modelgate_drift_verdict\{model="breast-cancer",version="1\.0\.0",feature="mean_texture",verdict="(ok|watch)"\} 1/,
    );
    const psi = Number(/modelgate_drift_psi\{[^}]*feature="mean_radius"\} ([0-9.e-]+)/.exec(metrics)?.[1]);
    assert.ok(Math.abs(psi - radius.psi!) < 1e-9, `${psi} vs ${radius.psi}`);
    assert.match(metrics, /modelgate_drift_window_rows\{model="breast-cancer",version="1\.0\.0"\} 143/);
  });

  it('counts V2 tensor traffic in the same window, read back as records and predictions', async (t) => {
    const [native, v2] = await Promise.all([demo(t), demo(t)]);
    const rows = demoRows('shifted.csv');
    await send(native, rows);
    // half as tensors that ask for the label only (the probabilities are fetched for the window
    // all the same), half through the native API: one window
    await sendV2(v2, rows.slice(0, 75), ['label']);
    await send(v2, rows.slice(75));
    const [a, b] = [await drift(native), await drift(v2)];
    assert.equal(b.window.rows, 143);
    assert.deepEqual(b.summary.drifted_features, ['mean_radius']);
    assert.deepEqual(verdicts(b), verdicts(a));
    // float32 tensors are read back as their shortest decimals, the CSV's own: the same numbers
    // as JSON, so the same bins, scores and tests
    assert.deepEqual(
      b.columns.map((c) => [c.feature, c.psi, c.statistic, c.p_value, c.live]),
      a.columns.map((c) => [c.feature, c.psi, c.statistic, c.p_value, c.live]),
    );
    // the model saw the same float32 inputs either way: the same predictions in the same bins
    assert.deepEqual(b.columns.at(-1)!.bins, a.columns.at(-1)!.bins);
  });

  it('sees no feature drift in held-out data from the same population', async (t) => {
    const s = await demo(t);
    await send(s, demoRows('test.csv'));
    const r = await drift(s, '?version=1.0.0');
    assert.equal(r.window.rows, 143);
    assert.deepEqual(r.summary.drifted_features, [], JSON.stringify(verdicts(r)));
    assert.ok(r.columns.every((c) => c.verdict !== 'insufficient_data'));
    // The demo's reference data is its training sample, and a random forest scores its own
    // training rows more extremely (22% get a malignant probability of exactly 0, against 13% of
    // held-out rows): the output distribution differs with no input drift at all. modelgate says
    // so; docs/drift.md advises a validation sample as reference data for prediction drift.
    const prediction = r.columns.at(-1)!;
    assert.equal(prediction.feature, 'prediction');
    assert.ok(Math.abs(prediction.bins[0]!.reference - 0.223) < 0.001, JSON.stringify(prediction.bins[0]));
    assert.ok(Math.abs(prediction.bins[0]!.live - 0.126) < 0.001, JSON.stringify(prediction.bins[0]));
    assert.equal(r.summary.prediction_drifted, true);
  });

  it('answers clear errors for versions without a reference profile and unknown models', async (t) => {
    const s = await startTestServer(t);
    await s.admin.registerVersion(join(FIXTURES, 'diabetes-regressor/manifest.yaml'));
    const noProduction = await raw(s, 'GET', '/v1/models/diabetes/drift');
    assert.equal(noProduction.status, 503);
    assert.equal(noProduction.json.code, 'MODEL_NOT_READY');
    const none = await raw(s, 'GET', '/v1/models/diabetes/drift?version=1.0.0');
    assert.equal(none.status, 404);
    assert.equal(none.json.code, 'REFERENCE_NOT_FOUND');
    assert.equal((await raw(s, 'GET', '/v1/models/nope/drift')).json.code, 'MODEL_NOT_FOUND');
    assert.equal(
      (await raw(s, 'GET', '/v1/models/diabetes/drift?version=9.9.9')).json.code,
      'VERSION_NOT_FOUND',
    );
    // reference data is read whole: above MODELGATE_MAX_DATA_BYTES it is refused, not profiled
    const small = await startTestServer(t, { env: { MODELGATE_MAX_DATA_BYTES: '2048' } });
    const big = await apiError(small.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml')));
    assert.equal(big.code, 'MANIFEST_INVALID');
    assert.match(big.detail, /reference data 'reference.csv' is \d+ bytes; at most 2048 are profiled/);
  });
});
