// OWASP API4:2023 Unrestricted Resource Consumption: body size, instances per request, string
// length, JSON depth, inference time, request rate and load shedding are all bounded, and each
// bound answers with a clear 4xx/5xx problem instead of consuming the server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, raw, startTestServer, SuiteScope } from '../helpers/server.js';
import { send } from '../fuzz/fuzz-cases.js';
import { demoServer, EXAMPLE, EXAMPLE_BODY, json, type SecuredServer } from './setup.js';

describe('API4 resource consumption: request shape limits', () => {
  const scope = new SuiteScope();
  let s: SecuredServer;
  before(async () => {
    s = await demoServer(scope, {
      MODELGATE_MAX_BODY_BYTES: '65536',
      MODELGATE_MAX_INSTANCES_PER_REQUEST: '10',
      MODELGATE_MAX_STRING_LENGTH: '100',
      MODELGATE_MAX_JSON_DEPTH: '8',
      MODELGATE_REQUEST_TIMEOUT_MS: '5000',
    });
  });
  after(() => scope.run());

  const predict = (body: string) =>
    raw(s, 'POST', '/v1/models/breast-cancer/predict', { key: s.predictKey, body, headers: json });

  it('refuses a body over the size limit with 413', async () => {
    const r = await predict(JSON.stringify({ instances: [{ pad: 'x'.repeat(70_000) }] }));
    assert.equal(r.status, 413);
    assert.equal(r.json.code, 'PAYLOAD_TOO_LARGE');
  });

  it('lets a client that sends a body far over the limit read its 413', async () => {
    const status = await send(s.url, s.predictKey, {
      method: 'POST',
      path: '/v1/models/breast-cancer/predict',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: Array(3000).fill(EXAMPLE.instances[0]) }),
      kind: 'big',
    });
    assert.equal(status, 413);
  });

  it('refuses more instances than allowed with 422 and a pointer', async () => {
    const r = await predict(JSON.stringify({ instances: Array(11).fill(EXAMPLE.instances[0]) }));
    assert.equal(r.status, 422);
    assert.equal(r.json.errors[0]!.pointer, '/instances');
    assert.match(r.json.errors[0]!.detail, /at most 10/);
    assert.equal(
      (await predict(JSON.stringify({ instances: Array(10).fill(EXAMPLE.instances[0]) }))).status,
      200,
    );
  });

  it('refuses a string over the length limit with 400', async () => {
    const r = await predict(
      JSON.stringify({ instances: [{ ...EXAMPLE.instances[0], note: 'y'.repeat(101) }] }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'JSON_LIMIT_EXCEEDED');
    assert.match(r.json.detail, /longer than 100 characters/);
  });

  it('refuses JSON nested deeper than allowed with 400', async () => {
    // few containers (parsed, then walked) and many (scanned before parsing)
    for (const levels of [20, 5000]) {
      const deep = '{"instances":[' + '['.repeat(levels) + ']'.repeat(levels) + ']}';
      const r = await predict(deep);
      assert.equal(r.status, 400);
      assert.match(r.json.detail, /deeper than 8 levels/);
    }
  });

  it('does not check a value the parser drops for a later duplicate key (no backslash in the body)', async () => {
    const row = JSON.stringify(EXAMPLE.instances[0]);
    const replaced = `{"instances":"${'y'.repeat(101)}","instances":[${row}]}`;
    assert.equal((await predict(replaced)).status, 200);
    // with a backslash the text is scanned before it is parsed, dropped values included
    const escaped = `{"instances":"${'y'.repeat(101)}","note":"a\\"b","instances":[${row}]}`;
    const r = await predict(escaped);
    assert.equal(r.status, 400);
    assert.equal(r.json.code, 'JSON_LIMIT_EXCEEDED');
  });

  it('names the first problem in the text, with or without escapes in it', async () => {
    // a long string, then (under a key that JavaScript enumerates first) a deep array
    const row = (escaped: string) =>
      `{"note":"${'y'.repeat(101)}","esc":"${escaped}","1":${'['.repeat(20)}${']'.repeat(20)}}`;
    for (const escaped of ['plain', 'a\\"b']) {
      const r = await predict(`{"instances":[${row(escaped)}]}`);
      assert.equal(r.status, 400, escaped);
      assert.equal(r.json.code, 'JSON_LIMIT_EXCEEDED');
      assert.match(r.json.detail, /longer than 100 characters/, escaped);
    }
  });

  it('sets the request timeout on the HTTP server', () => {
    assert.equal(s.server.app.server.requestTimeout, 5000);
  });
});

describe('API4 resource consumption: inference timeout', () => {
  it('answers 504 when inference takes longer than the limit, and keeps serving', async (t) => {
    // the model's cost grows with the batch: 8,000 rows take ~950 ms on a fast idle machine
    // (1,000 rows took ~250 ms on a slow one, but under 100 ms on a fast one, and answered 200),
    // 1 row ~2 ms (~25 ms on a loaded machine): a limit between
    const s = await startTestServer(t, {
      env: { MODELGATE_INFERENCE_TIMEOUT_MS: '100', MODELGATE_MAX_INSTANCES_PER_REQUEST: '8000' },
    });
    await s.admin.registerVersion(join(FIXTURES, 'slow-regressor/manifest.yaml'));
    await s.admin.promote('slow', '1.0.0');
    const rows = (n: number) =>
      JSON.stringify({ instances: Array(n).fill({ f0: 0.1, f1: 0.2, f2: 0.3, f3: 0.4 }) });
    const big = await raw(s, 'POST', '/v1/models/slow/predict', { body: rows(8000), headers: json });
    assert.equal(big.status, 504, big.text);
    t.diagnostic(big.json.detail);
    assert.equal(big.json.code, 'INFERENCE_TIMEOUT');
    assert.match(big.json.detail, /took \d+ ms for 8000 instances; the limit is 100 ms/);
    const small = await raw(s, 'POST', '/v1/models/slow/predict', { body: rows(1), headers: json });
    assert.equal(small.status, 200, small.text);
  });
});

describe('API4 resource consumption: rate limits', () => {
  it('limits each principal per route class with 429, Retry-After and RateLimit headers', async (t) => {
    const s = await demoServer(t, {
      MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '3',
      MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '2',
    });
    const predict = (key: string) =>
      raw(s, 'POST', '/v1/models/breast-cancer/predict', { key, body: EXAMPLE_BODY, headers: json });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await predict(s.predictKey)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await predict(s.predictKey);
    assert.equal(limited.json.code, 'RATE_LIMITED');
    assert.equal(limited.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
    assert.equal(limited.headers.get('ratelimit-limit'), '3');
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');

    // another principal has its own budget; the same principal's read class too
    const other = (await s.admin.createKey('other', ['predict', 'read'])).key;
    assert.equal((await predict(other)).status, 200);
    assert.equal((await raw(s, 'GET', '/v1/models', { key: other })).status, 200);
    assert.equal((await raw(s, 'GET', '/v1/models', { key: other })).status, 200);
    assert.equal((await raw(s, 'GET', '/v1/models', { key: other })).status, 429);
    // health and readiness are never limited
    for (let i = 0; i < 5; i++) assert.equal((await raw(s, 'GET', '/health', { key: null })).status, 200);
  });
});

describe('API4 resource consumption: load shedding', () => {
  it('does not shed the first requests after a start that blocked the event loop', async (t) => {
    // loading models blocks the loop before the server listens; the sampler then reads an
    // interval without samples (an infinite delay) and, before the fix, shed for a second
    const s = await startTestServer(t, {
      demo: true,
      env: { MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '50' },
      onApp: (app) =>
        app.addHook('onReady', async () => {
          const end = Date.now() + 1500;
          while (Date.now() < end);
        }),
    });
    for (let i = 0; i < 3; i++) {
      const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
        body: EXAMPLE_BODY,
        headers: json,
      });
      assert.equal(r.status, 200, r.text);
    }
  });

  it('sheds requests with 503 and Retry-After while the event loop lags', async (t) => {
    const s = await demoServer(t, { MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '50' });
    // under-pressure samples the event-loop delay on a timer: keep the loop blocked (as a runaway
    // computation would) until a sample has seen it, asking between blocks
    let r = { status: 0, text: '', json: {} as Record<string, unknown>, headers: new Headers() };
    let operator: number[] = [];
    for (let attempt = 0; attempt < 10 && r.status !== 503; attempt++) {
      const end = Date.now() + 700;
      while (Date.now() < end);
      await new Promise((resolve) => setTimeout(resolve, 20));
      // inference and the operator's calls under the same sample of the lag
      const answers = await Promise.all([
        raw(s, 'POST', '/v1/models/breast-cancer/predict', {
          key: s.predictKey,
          body: EXAMPLE_BODY,
          headers: json,
        }),
        raw(s, 'GET', '/v1/models', { key: s.readKey }),
        raw(s, 'GET', '/v1/models/breast-cancer'),
        raw(s, 'GET', '/health', { key: null }),
      ]);
      r = answers[0];
      operator = answers.slice(1).map((a) => a.status);
    }
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.code, 'OVERLOADED');
    assert.equal(r.headers.get('retry-after'), '5');
    // only inference is shed: reads, admin calls (a rollback) and probes still answer meanwhile
    assert.deepEqual(operator, [200, 200, 200]);
  });
});
