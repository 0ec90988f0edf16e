import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { PredictionSchema, PredictResponseSchema } from '../../src/http/schemas.js';
import {
  apiError,
  DEMO,
  FIXTURES,
  raw,
  startTestServer,
  SuiteScope,
  type TestServer,
} from '../helpers/server.js';

interface SmokeTest {
  input: Record<string, unknown>;
  expected: { label?: string; probabilities?: Record<string, number>; value?: number };
}
const smokeTests = (manifest: string) =>
  (parse(readFileSync(manifest, 'utf8')) as { smoke_tests: SmokeTest[] }).smoke_tests;
const example = (
  JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
    instances: Array<Record<string, number>>;
  }
).instances[0]!;

describe('predict over HTTP', () => {
  let s: TestServer;
  const scope = new SuiteScope();
  after(() => scope.run());
  before(async () => {
    // one server for the prediction tests of this file; none of them changes its state
    s = await startTestServer(scope);
    for (const m of [
      join(DEMO, '1.0.0'),
      ...['iris-linear', 'iris-inferred', 'diabetes-regressor', 'wine-mlp-external', 'mixed-inputs'].map(
        (f) => join(FIXTURES, f),
      ),
    ]) {
      const r = await s.admin.registerVersion(join(m, 'manifest.yaml'));
      await s.admin.promote(r.version.model, r.version.version);
    }
  });

  const cases: Array<[string, string]> = [
    ['binary classifier, integer labels mapped to names, threshold', join(DEMO, '1.0.0/manifest.yaml')],
    ['multiclass classifier with string labels', join(FIXTURES, 'iris-linear/manifest.yaml')],
    ['regressor', join(FIXTURES, 'diabetes-regressor/manifest.yaml')],
    ['plain softmax scores with external data', join(FIXTURES, 'wine-mlp-external/manifest.yaml')],
    ['one input per feature (int64, float, bool, string)', join(FIXTURES, 'mixed-inputs/manifest.yaml')],
  ];
  for (const [name, manifestPath] of cases) {
    it(`answers a ${name} as its manifest's smoke tests expect, in one batch`, async () => {
      const manifest = parse(readFileSync(manifestPath, 'utf8')) as { name: string; version: string };
      const tests = smokeTests(manifestPath);
      const r = await s.admin.predict(
        manifest.name,
        tests.map((x) => x.input),
      );
      assert.equal(r.model, manifest.name);
      assert.equal(r.version, manifest.version);
      assert.match(r.artifact_sha256, /^[0-9a-f]{64}$/);
      assert.match(r.prediction_id, /^[0-9a-f-]{36}$/);
      assert.equal(r.predictions.length, tests.length);
      tests.forEach((test, i) => {
        const p = r.predictions[i]!;
        if (test.expected.value !== undefined)
          assert.ok(
            Math.abs(p.value! - test.expected.value) <= 1e-4 * Math.max(1, Math.abs(test.expected.value)),
            `${p.value} vs ${test.expected.value}`,
          );
        if (test.expected.label !== undefined) assert.equal(p.label, test.expected.label);
        for (const [label, prob] of Object.entries(test.expected.probabilities ?? {})) {
          assert.ok(
            Math.abs(p.probabilities![label]! - prob) <= 1e-4,
            `P(${label}) ${p.probabilities![label]} vs ${prob}`,
          );
        }
        if (p.probabilities) {
          const sum = Object.values(p.probabilities).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities sum to 1, got ${sum}`);
        }
      });
    });
  }

  it('infers features and labels from the ONNX model when the manifest has none', async () => {
    const v = await s.admin.getVersion('iris-inferred', '1.0.0');
    assert.equal(v.signature.features_inferred, true);
    assert.deepEqual(
      v.signature.features.map((f) => [f.name, f.type]),
      [
        ['input_0', 'number'],
        ['input_1', 'number'],
        ['input_2', 'number'],
        ['input_3', 'number'],
      ],
    );
    assert.deepEqual(
      v.signature.labels,
      ['setosa', 'versicolor', 'virginica'],
      'read from the classifier node',
    );
    const [setosa, virginica] = smokeTests(join(FIXTURES, 'iris-linear/manifest.yaml')).filter(
      (x) => x.expected.label !== 'versicolor',
    );
    const asInputs = (row: Record<string, unknown>) =>
      Object.fromEntries(Object.values(row).map((value, i) => [`input_${i}`, value]));
    const r = await s.admin.predict('iris-inferred', [asInputs(setosa!.input), asInputs(virginica!.input)]);
    assert.deepEqual(
      r.predictions.map((p) => p.label),
      ['setosa', 'virginica'],
    );
    const unknown = await apiError(
      s.admin.predict('iris-inferred', [{ ...asInputs(setosa!.input), sepal_length: 1 }]),
    );
    assert.equal(unknown.code, 'VALIDATION_FAILED');
  });

  it('returns the same numbers for the same request (reproducible inference)', async () => {
    const a = await s.admin.predict('breast-cancer', [example, example]);
    const b = await s.admin.predict('breast-cancer', [example, example]);
    assert.deepEqual(a.predictions, b.predictions);
    assert.deepEqual(a.predictions[0], a.predictions[1]);
    assert.notEqual(a.prediction_id, b.prediction_id);
  });

  it('answers with a JSON body of exactly the response schema, in its order, for 1 and 1,000 rows', async () => {
    // the route writes its answer with JSON.stringify, not the schema's serializer (20% of the CPU
    // of a 1,000-row request): the bytes must be what the schema describes, and nothing more
    const strict = new Ajv({ strict: false }).compile({
      ...PredictResponseSchema,
      additionalProperties: false,
      properties: {
        ...PredictResponseSchema.properties,
        predictions: {
          ...PredictResponseSchema.properties.predictions,
          items: { ...PredictionSchema, additionalProperties: false },
        },
      },
    });
    for (const n of [1, 1000]) {
      const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
        body: JSON.stringify({ instances: Array.from({ length: n }, () => example) }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      // written as JSON.stringify writes it: no other spacing, escaping or number formatting
      assert.equal(r.text, JSON.stringify(r.json));
      assert.ok(strict(r.json), JSON.stringify(strict.errors));
      assert.deepEqual(Object.keys(r.json), [
        'model',
        'version',
        'artifact_sha256',
        'prediction_id',
        'predictions',
      ]);
      const predictions = r.json.predictions as Array<{
        label: string;
        probabilities: Record<string, number>;
      }>;
      assert.equal(predictions.length, n);
      assert.deepEqual(Object.keys(predictions[n - 1]!), ['label', 'probabilities']);
      // numbers as JSON.parse reads them back: the shortest float32 decimals, not float64 noise
      assert.match(r.text, /"probabilities":\{"malignant":[0-9.e-]+,"benign":[0-9.e-]+\}/);
    }
  });

  it('pins a version by path and reports unknown models and versions', async () => {
    assert.equal((await s.admin.predict('breast-cancer', [example], { version: '1.0.0' })).version, '1.0.0');
    const noModel = await apiError(s.admin.predict('nope', [example]));
    assert.equal(noModel.status, 404);
    assert.equal(noModel.code, 'MODEL_NOT_FOUND');
    const noVersion = await apiError(s.admin.predict('breast-cancer', [example], { version: '9.0.0' }));
    assert.equal(noVersion.status, 404);
    assert.equal(noVersion.code, 'VERSION_NOT_FOUND');
  });

  describe('answers every class of bad input with a 4xx and a pointer', () => {
    const post = (
      body: string,
      headers: Record<string, string> = { 'content-type': 'application/json' },
      path = '/v1/models/breast-cancer/predict',
    ) => raw(s, 'POST', path, { body, headers });
    const inst = (patch: Record<string, unknown>) =>
      JSON.stringify({ instances: [{ ...example, ...patch }] });
    const { mean_radius: _omit, ...missing } = example;

    const table: Array<
      [string, () => Promise<Awaited<ReturnType<typeof post>>>, number, string, string | undefined, RegExp]
    > = [
      [
        'wrong type',
        () => post(inst({ mean_radius: 'big' })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_radius',
        /must be a number, got "big"/,
      ],
      [
        'out of range',
        () => post(inst({ mean_radius: 75.2 })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_radius',
        /must be <= 60, got 75.2/,
      ],
      [
        'negative',
        () => post(inst({ mean_area: -1 })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_area',
        /must be >= 0/,
      ],
      [
        'null',
        () => post(inst({ mean_radius: null })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_radius',
        /got null/,
      ],
      [
        'non-finite (1e999)',
        () =>
          post(
            `{"instances":[${JSON.stringify(example).replace(/"mean_radius":[^,]+/, '"mean_radius":1e999')}]}`,
          ),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_radius',
        /finite/,
      ],
      [
        'missing feature',
        () => post(JSON.stringify({ instances: [missing] })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/mean_radius',
        /is required/,
      ],
      [
        'unknown feature',
        () => post(inst({ colour: 'red' })),
        422,
        'VALIDATION_FAILED',
        '/instances/0/colour',
        /not a feature/,
      ],
      [
        'instance not an object',
        () => post('{"instances":[42]}'),
        422,
        'VALIDATION_FAILED',
        '/instances/0',
        /must be object/,
      ],
      [
        'no instances',
        () => post('{"instances":[]}'),
        422,
        'VALIDATION_FAILED',
        '/instances',
        /at least 1 items/,
      ],
      [
        'too many instances',
        () => post(JSON.stringify({ instances: Array.from({ length: 1001 }, () => example) })),
        422,
        'VALIDATION_FAILED',
        '/instances',
        /at most 1000 items/,
      ],
      ['missing instances', () => post('{}'), 422, 'VALIDATION_FAILED', '/instances', /is required/],
      [
        'unknown top-level field',
        () => post(JSON.stringify({ instances: [example], extra: 1 })),
        422,
        'VALIDATION_FAILED',
        '/extra',
        /not an accepted field/,
      ],
      [
        'instances not an array',
        () => post('{"instances":{}}'),
        422,
        'VALIDATION_FAILED',
        '/instances',
        /must be array/,
      ],
      [
        'malformed JSON',
        () => post('{"instances": ['),
        400,
        'MALFORMED_REQUEST',
        undefined,
        /not valid JSON/,
      ],
      [
        '__proto__ key',
        () => post('{"instances":[{"__proto__":{"x":1}}]}'),
        400,
        'FORBIDDEN_JSON_KEY',
        '/instances/0/__proto__',
        /"__proto__" key .*refused.*prototype pollution/,
      ],
      [
        '__proto__ key spelled with escapes, beside valid fields',
        () => post(`{"instances":[${JSON.stringify(example).replace('{', '{"\\u005f_proto__":{},')}]}`),
        400,
        'FORBIDDEN_JSON_KEY',
        '/instances/0/__proto__',
        /"__proto__" key/,
      ],
      [
        'constructor.prototype key',
        () => post('{"routing_key":"u","instances":[{"a":{"constructor":{"prototype":{"x":1}}}}]}'),
        400,
        'FORBIDDEN_JSON_KEY',
        '/instances/0/a/constructor',
        /"constructor" key holding a "prototype"/,
      ],
      ['empty body', () => post(''), 400, 'MALFORMED_REQUEST', undefined, /./],
      [
        'wrong content type',
        () => post('instances', { 'content-type': 'text/plain' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        undefined,
        /./,
      ],
      [
        'body over the limit',
        () => post(JSON.stringify({ instances: [{ ...example, pad: 'x'.repeat(1_100_000) }] })),
        413,
        'PAYLOAD_TOO_LARGE',
        undefined,
        /limit/,
      ],
      [
        'bad model name',
        () => post(inst({}), undefined, '/v1/models/Bad%20Name/predict'),
        422,
        'VALIDATION_FAILED',
        undefined,
        /path parameter name/,
      ],
      ['unknown route', () => post(inst({}), undefined, '/v1/nope'), 404, 'NOT_FOUND', undefined, /no route/],
    ];
    for (const [name, send, status, code, at, detail] of table) {
      it(name, async () => {
        const r = await send();
        assert.equal(r.status, status, r.text);
        assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
        assert.equal(r.json.code, code);
        assert.equal(r.json.status, status);
        assert.equal(r.json.request_id, r.headers.get('x-request-id'));
        assert.match(r.json.detail, detail);
        if (at !== undefined)
          assert.ok(
            r.json.errors.some((e: { pointer: string }) => e.pointer === at),
            JSON.stringify(r.json.errors),
          );
      });
    }
  });

  it("accepts the caller's X-Request-Id and logs one line per request without secrets or feature values", async () => {
    const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      body: JSON.stringify({ instances: [example] }),
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-123' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'trace-me-123');
    // the line is written by onResponse, after the answer went out: the client may be faster
    let line = s.logs.lines.find((l) => l.req_id === 'trace-me-123');
    for (let i = 0; i < 100 && !line; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      line = s.logs.lines.find((l) => l.req_id === 'trace-me-123');
    }
    assert.ok(line);
    assert.equal(line.status, 200);
    assert.equal(line.model, 'breast-cancer');
    assert.equal(line.version, '1.0.0');
    assert.equal(line.route, '/v1/models/:name/predict');
    assert.equal(typeof line.ms, 'number');
    const everything = s.logs.raw.join('\n');
    assert.ok(!everything.includes(s.adminKey), 'the key never reaches the log');
    // durations are numbers too (a request may take 20.66 ms): look for the value anywhere else
    const withoutTimes = s.logs.lines.map(({ ms: _ms, ...rest }) => JSON.stringify(rest)).join('\n');
    assert.ok(!withoutTimes.includes(String(example.mean_texture)), 'feature values are not logged');
    assert.ok(!withoutTimes.includes('mean_texture'), 'feature names are not logged either');
  });
});
