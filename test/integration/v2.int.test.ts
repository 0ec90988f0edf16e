import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TObject } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { V2InferResponseSchema } from '../../src/http/v2-schemas.js';
import {
  DEMO,
  FIXTURES,
  raw,
  REPO,
  startTestServer,
  SuiteScope,
  type TestServer,
} from '../helpers/server.js';
import { EXAMPLE } from '../owasp/setup.js';

const json = { 'content-type': 'application/json' };
const row = Object.values(EXAMPLE.instances[0]!) as number[];

/** A server with the demo model in production (and the diabetes regressor, if asked). */
async function demoServer(scope: SuiteScope, withRegressor: boolean): Promise<TestServer> {
  const s = await startTestServer(scope);
  await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  if (withRegressor) {
    await s.admin.registerVersion(join(FIXTURES, 'diabetes-regressor/manifest.yaml'));
    await s.admin.promote('diabetes', '1.0.0');
  }
  return s;
}

describe('Open Inference Protocol (V2) REST', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => (s = await demoServer(scope, true)));
  after(() => scope.run());

  it('answers health and server metadata', async () => {
    assert.deepEqual((await raw(s, 'GET', '/v2/health/live', { key: null })).json, { live: true });
    assert.deepEqual((await raw(s, 'GET', '/v2/health/ready', { key: null })).json, { ready: true });
    const meta = await raw(s, 'GET', '/v2', { key: null });
    assert.deepEqual(meta.json, { name: 'modelgate', version: '0.1.0', extensions: [] });
  });

  it('describes a model from its ONNX graph', async () => {
    const r = await raw(s, 'GET', '/v2/models/breast-cancer');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.name, 'breast-cancer');
    assert.equal(r.json.platform, 'onnxruntime_onnx');
    assert.deepEqual(r.json.versions, ['1.0.0']);
    assert.deepEqual(r.json.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }]);
    const outputs = r.json.outputs as Array<{ name: string; datatype: string }>;
    assert.ok(
      outputs.some((o) => o.name === 'probabilities' && o.datatype === 'FP32'),
      JSON.stringify(outputs),
    );
    assert.equal((await raw(s, 'GET', '/v2/models/breast-cancer/versions/1.0.0')).status, 200);
    assert.deepEqual((await raw(s, 'GET', '/v2/models/breast-cancer/ready')).json, {
      name: 'breast-cancer',
      version: '1.0.0',
      ready: true,
    });
  });

  it('infers with flat or nested data, echoes id, returns requested outputs, matching the native API', async () => {
    const native = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      body: JSON.stringify(EXAMPLE),
      headers: json,
    });
    const expected = (native.json.predictions as Array<{ probabilities: Record<string, number> }>)[0]!
      .probabilities;
    for (const data of [row, [row]]) {
      const r = await raw(s, 'POST', '/v2/models/breast-cancer/infer', {
        body: JSON.stringify({
          id: '42',
          inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data }],
          outputs: [{ name: 'probabilities' }],
        }),
        headers: json,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, '42');
      assert.equal(r.json.model_name, 'breast-cancer');
      assert.equal(r.json.model_version, '1.0.0');
      const [out] = r.json.outputs as Array<{
        name: string;
        datatype: string;
        shape: number[];
        data: number[];
      }>;
      assert.equal(out!.name, 'probabilities');
      assert.equal(out!.datatype, 'FP32');
      assert.deepEqual(out!.shape, [1, 2]);
      assert.ok(Math.abs(out!.data[0]! - expected.malignant!) < 1e-6);
    }
    const reg = await raw(s, 'POST', '/v2/models/diabetes/versions/1.0.0/infer', {
      body: JSON.stringify({
        inputs: [{ name: 'input', shape: [2, 10], datatype: 'FP32', data: Array(20).fill(0.01) }],
      }),
      headers: json,
    });
    assert.equal(reg.status, 200, reg.text);
    assert.deepEqual((reg.json.outputs as Array<{ shape: number[] }>)[0]!.shape, [2, 1]);
  });

  it('answers with a JSON body of exactly the response schema, in its order, for 1 and 1,000 rows', async () => {
    const strictObject = (schema: TObject, properties: Record<string, unknown> = {}) => ({
      ...schema,
      additionalProperties: false,
      properties: { ...schema.properties, ...properties },
    });
    const output = V2InferResponseSchema.properties.outputs.items;
    const strict = new Ajv({ strict: false }).compile(
      strictObject(V2InferResponseSchema, {
        parameters: strictObject(V2InferResponseSchema.properties.parameters),
        outputs: { ...V2InferResponseSchema.properties.outputs, items: strictObject(output) },
      }),
    );
    for (const n of [1, 1000]) {
      const r = await raw(s, 'POST', '/v2/models/breast-cancer/infer', {
        body: JSON.stringify({
          id: 'x',
          inputs: [
            { name: 'input', shape: [n, 30], datatype: 'FP32', data: Array.from({ length: n }, () => row) },
          ],
        }),
        headers: json,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.ok(strict(r.json), JSON.stringify(strict.errors));
      assert.deepEqual(Object.keys(r.json), ['model_name', 'model_version', 'id', 'parameters', 'outputs']);
      const outputs = r.json.outputs as Array<{ shape: number[]; data: unknown[] }>;
      for (const o of outputs) {
        assert.deepEqual(Object.keys(o), ['name', 'shape', 'datatype', 'data']);
        assert.equal(
          o.data.length,
          o.shape.reduce((a, b) => a * b, 1),
        );
        assert.equal(o.shape[0], n);
      }
    }
  });

  it("answers errors with the protocol's {error} body and status codes", async () => {
    const infer = (body: unknown, path = '/v2/models/breast-cancer/infer') =>
      raw(s, 'POST', path, { body: JSON.stringify(body), headers: json });
    const cases: Array<[unknown, number, RegExp, string?]> = [
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row.slice(1) }] },
        400,
        /needs 30 elements, data has 29/,
      ],
      [
        { inputs: [{ name: 'input', shape: [1, 29], datatype: 'FP32', data: row.slice(1) }] },
        400,
        /the model expects \[-1,30\]/,
      ],
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'INT32', data: row }] },
        400,
        /the model expects FP32/,
      ],
      [{ inputs: [{ name: 'x', shape: [1, 30], datatype: 'FP32', data: row }] }, 400, /unexpected input 'x'/],
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: [...row.slice(1), 'a'] }] },
        400,
        /must be a finite number/,
      ],
      [
        { inputs: [{ name: 'input', shape: [2, 30], datatype: 'FP32', data: [row, row.slice(1)] }] },
        400,
        /nested data does not match/,
      ],
      [
        {
          inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }],
          outputs: [{ name: 'nope' }],
        },
        400,
        /unknown output nope/,
      ],
      [{ inputs: [] }, 400, /.+/],
      // an empty output list would reach ONNX Runtime as no fetches: refused before it, as 400
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }], outputs: [] },
        400,
        /\/outputs: must have at least 1 items/,
      ],
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }] },
        404,
        /not registered/,
        '/v2/models/nope/infer',
      ],
      [
        { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: row }] },
        404,
        /no version '9.9.9'/,
        '/v2/models/breast-cancer/versions/9.9.9/infer',
      ],
    ];
    for (const [body, status, message, path] of cases) {
      const r = await infer(body, path);
      assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
      assert.deepEqual(Object.keys(r.json), ['error']);
      assert.match(String(r.json.error), message);
    }
    const unauth = await raw(s, 'GET', '/v2/models/breast-cancer', { key: null });
    assert.equal(unauth.status, 401);
    assert.deepEqual(Object.keys(unauth.json), ['error']);
    const missing = await raw(s, 'GET', '/v2/nowhere', { key: null });
    assert.equal(missing.status, 404);
    assert.match(String(missing.json.error), /no route/);
  });
});

/** The JSON bodies of the spec's "Inference Request Examples" (indented blocks in the Markdown). */
function specExample(): { request: Record<string, unknown>; responseText: string } {
  const md = readFileSync(join(REPO, 'docs/specs/open-inference-protocol/inference_rest.md'), 'utf8');
  const section = md.slice(md.indexOf('### **Inference Request Examples**'));
  const bodies = [...section.matchAll(/\n {4}\{\n([\s\S]*?)\n {4}\}\n/g)].map((m) => `{\n${m[1]}\n}`);
  assert.equal(bodies.length, 2, 'the spec has one example request and one response');
  return { request: JSON.parse(bodies[0]!) as Record<string, unknown>, responseText: bodies[1]! };
}

describe("V2 requests built straight from the spec's example", () => {
  // the demo model in production, as in the suite above, on a server of its own
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => (s = await demoServer(scope, false)));
  after(() => scope.run());

  it('answers the example verbatim with a clear 400 (its tensors are for "mymodel")', async () => {
    const { request } = specExample();
    const r = await raw(s, 'POST', '/v2/models/breast-cancer/infer', {
      body: JSON.stringify(request),
      headers: json,
    });
    assert.equal(r.status, 400);
    assert.match(String(r.json.error), /unexpected input 'input0'; the model's inputs are input/);
    assert.equal(r.headers.get('x-modelgate-error-code'), 'V2_BAD_REQUEST');
  });

  it("serves the example's structure with the demo model's tensor, answering in the example response's shape", async () => {
    const { request, responseText } = specExample();
    const [example] = request.inputs as Array<Record<string, unknown>>;
    // the spec's request, with only the tensor's name, shape, type and data set for the demo model
    const body = {
      ...request,
      inputs: [{ ...example, name: 'input', shape: [1, 30], datatype: 'FP32', data: row }],
      outputs: [{ name: 'probabilities' }],
    };
    const r = await raw(s, 'POST', '/v2/models/breast-cancer/infer', {
      body: JSON.stringify(body),
      headers: json,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, request.id);
    // every key of the example response (`id`, `outputs[].name/shape/datatype/data`) is there
    for (const key of ['"id"', '"outputs"', '"name"', '"shape"', '"datatype"', '"data"']) {
      assert.ok(responseText.includes(key), key);
    }
    const [out] = r.json.outputs as Array<{
      name: string;
      shape: number[];
      datatype: string;
      data: number[];
    }>;
    assert.deepEqual(Object.keys(out!).sort(), ['data', 'datatype', 'name', 'shape']);
    assert.equal(out!.name, 'probabilities');
    assert.deepEqual(out!.shape, [1, 2]);
    assert.equal(out!.data.length, 2);
    assert.ok(Math.abs(out!.data[0]! + out!.data[1]! - 1) < 1e-5);
  });
});
