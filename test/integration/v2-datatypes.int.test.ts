import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { FIXTURES, raw, startTestServer } from '../helpers/server.js';

const DIR = join(FIXTURES, 'mixed-inputs');
const json = { 'content-type': 'application/json' };

describe('V2 inference with one input per feature: INT64, FP32, BOOL and BYTES tensors', () => {
  it('answers the same values as the native API and as the manifest smoke tests', async (t) => {
    const s = await startTestServer(t);
    await s.admin.registerVersion(join(DIR, 'manifest.yaml'));
    await s.admin.promote('insurance', '1.0.0');
    const meta = await raw(s, 'GET', '/v2/models/insurance');
    assert.deepEqual(
      (meta.json.inputs as Array<{ name: string; datatype: string }>).map((i) => `${i.name}:${i.datatype}`),
      ['age:INT64', 'bmi:FP32', 'smoker:BOOL', 'region:BYTES'],
    );
    const tests = (
      parseYaml(readFileSync(join(DIR, 'manifest.yaml'), 'utf8')) as {
        smoke_tests: Array<{
          input: { age: number; bmi: number; smoker: boolean; region: string };
          expected: { value: number };
        }>;
      }
    ).smoke_tests;
    const n = tests.length;
    const column = <K extends keyof (typeof tests)[number]['input']>(k: K) => tests.map((x) => [x.input[k]]);
    const body = {
      inputs: [
        { name: 'age', datatype: 'INT64', shape: [n, 1], data: column('age') },
        { name: 'bmi', datatype: 'FP32', shape: [n, 1], data: column('bmi') },
        { name: 'smoker', datatype: 'BOOL', shape: [n, 1], data: column('smoker') },
        { name: 'region', datatype: 'BYTES', shape: [n, 1], data: column('region') },
      ],
    };
    const v2 = await raw(s, 'POST', '/v2/models/insurance/infer', {
      body: JSON.stringify(body),
      headers: json,
    });
    assert.equal(v2.status, 200, v2.text);
    const [out] = v2.json.outputs as Array<{
      name: string;
      datatype: string;
      shape: number[];
      data: number[];
    }>;
    assert.equal(out!.datatype, 'FP32');
    assert.deepEqual(out!.shape, [n, 1]);
    const native = await s.admin.predict(
      'insurance',
      tests.map((x) => x.input),
    );
    tests.forEach((x, i) => {
      assert.ok(
        Math.abs(out!.data[i]! - x.expected.value) <= x.expected.value * 1e-4,
        `${i}: ${out!.data[i]}`,
      );
      assert.ok(Math.abs(out!.data[i]! - (native.predictions[i] as { value: number }).value) < 1e-2);
    });

    // a region the model does not know is the model's business (CategoryMapper's default), but
    // a wrong type for a tensor is the client's: 400 naming the input and element
    const wrong = structuredClone(body);
    wrong.inputs[2]!.data[0] = ['yes'];
    const r = await raw(s, 'POST', '/v2/models/insurance/infer', {
      body: JSON.stringify(wrong),
      headers: json,
    });
    assert.equal(r.status, 400);
    assert.match(String(r.json.error), /input 'smoker' element 0 must be true or false \(BOOL\)/);
  });
});
