import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { parse as parseMetrics } from '../helpers/prom-text.js';
import { PROMTOOL, run, skipWithout } from '../helpers/promtool.js';
import { DEMO, raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';
import { EXAMPLE, EXAMPLE_BODY } from '../owasp/setup.js';

const json = { 'content-type': 'application/json' };
const PREDICT = '/v1/models/breast-cancer/predict';

describe('metrics, stats, logs and traces of real traffic', () => {
  const scope = new SuiteScope();
  const spans = new InMemorySpanExporter();
  let s: TestServer;
  let metricsText: string;

  before(async () => {
    s = await startTestServer(scope, {
      spanExporter: spans,
      env: { MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '30' },
    });
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    const v11 = await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    for (let i = 0; i < 3; i++)
      assert.equal((await raw(s, 'POST', PREDICT, { body: EXAMPLE_BODY, headers: json })).status, 200);
    const five = JSON.stringify({ instances: Array(5).fill(EXAMPLE.instances[0]) });
    assert.equal((await raw(s, 'POST', PREDICT, { body: five, headers: json })).status, 200);
    const bad = JSON.stringify({ instances: [{ ...EXAMPLE.instances[0], mean_radius: 'x' }] });
    assert.equal((await raw(s, 'POST', PREDICT, { body: bad, headers: json })).status, 422);
    assert.equal((await raw(s, 'POST', PREDICT, { body: '{"instances":', headers: json })).status, 400);
    const idem = { ...json, 'idempotency-key': '"m-1"' };
    await raw(s, 'POST', PREDICT, { body: EXAMPLE_BODY, headers: idem });
    assert.equal(
      (await raw(s, 'POST', PREDICT, { body: EXAMPLE_BODY, headers: idem })).headers.get(
        'idempotent-replayed',
      ),
      'true',
    );
    // a version whose stored artifact was tampered with fails to load
    await tamperBlob(s, v11.version.artifact_sha256);
    assert.equal(
      (
        await raw(s, 'POST', '/v1/models/breast-cancer/versions/1.1.0/predict', {
          body: EXAMPLE_BODY,
          headers: json,
        })
      ).status,
      409,
    );
    metricsText = (await raw(s, 'GET', '/metrics')).text;
  });
  after(() => scope.run());

  it('counts requests, predictions, batch sizes, inference time and failures', () => {
    const m = parseMetrics(metricsText);
    const v = (name: string, labels: Record<string, string>) => m.value(name, labels);
    assert.equal(
      v('modelgate_predictions_total', { model: 'breast-cancer', version: '1.0.0', outcome: 'ok' }),
      5,
    );
    assert.equal(
      v('modelgate_predictions_total', { model: 'breast-cancer', version: '1.0.0', outcome: 'invalid' }),
      1,
    );
    assert.equal(
      v('modelgate_inference_duration_seconds_count', { model: 'breast-cancer', version: '1.0.0' }),
      5,
    );
    assert.ok(
      v('modelgate_inference_duration_seconds_sum', { model: 'breast-cancer', version: '1.0.0' })! > 0,
    );
    assert.equal(v('modelgate_instances_per_request_sum', { model: 'breast-cancer' }), 3 + 5 + 1 + 1);
    assert.equal(v('modelgate_instances_per_request_bucket', { model: 'breast-cancer', le: '1' }), 5);
    assert.equal(
      v('modelgate_http_requests_total', {
        route: '/v1/models/:name/predict',
        method: 'POST',
        status: '200',
      }),
      6,
    );
    assert.equal(
      v('modelgate_http_requests_total', {
        route: '/v1/models/:name/predict',
        method: 'POST',
        status: '422',
      }),
      1,
    );
    assert.equal(
      v('modelgate_http_request_duration_seconds_count', {
        route: '/v1/models/:name/predict',
        method: 'POST',
      }),
      8,
    );
    assert.equal(v('modelgate_validation_failures_total', { code: 'VALIDATION_FAILED' }), 1);
    assert.equal(v('modelgate_validation_failures_total', { code: 'MALFORMED_REQUEST' }), 1);
    assert.equal(v('modelgate_idempotency_replays_total', { route: '/v1/models/:name/predict' }), 1);
    assert.equal(
      v('modelgate_artifact_load_failures_total', {
        model: 'breast-cancer',
        version: '1.1.0',
        code: 'ARTIFACT_INTEGRITY_FAILED',
      }),
      1,
    );
    assert.equal(v('modelgate_model_loaded', { model: 'breast-cancer', version: '1.0.0' }), 1);
    assert.equal(v('modelgate_model_ready', { model: 'breast-cancer' }), 1);
    assert.equal(v('modelgate_build_info', { version: '0.1.0', node: process.version }), 1);
    assert.ok(m.has('process_cpu_user_seconds_total') && m.has('nodejs_eventloop_lag_p99_seconds'));
  });

  it('counts rate-limited requests by route class', async () => {
    let limited = 0;
    for (let i = 0; i < 35 && limited === 0; i++)
      if ((await raw(s, 'GET', '/v1/models')).status === 429) limited++;
    const m = parseMetrics(
      (await raw(s, 'GET', '/metrics', { key: (await s.admin.createKey('prom', ['admin'])).key })).text,
    );
    assert.equal(m.value('modelgate_rate_limited_requests_total', { class: 'read' }), 1);
  });

  it('passes promtool check metrics', { skip: skipWithout(PROMTOOL, 'promtool') }, async () => {
    const r = await run(PROMTOOL!, ['check', 'metrics'], metricsText);
    assert.equal(r.code, 0, r.out);
  });

  it('reports /stats per version with percentiles, loaded versions and hashes', async () => {
    const r = await raw(s, 'GET', '/stats', { key: (await s.admin.createKey('viewer', ['read'])).key });
    assert.equal(r.status, 200, r.text);
    const stats = r.json as unknown as {
      uptime_seconds: number;
      models: Array<{
        name: string;
        production: string;
        state: string;
        loaded_versions: Array<{ version: string; artifact_sha256: string }>;
      }>;
      versions: Array<{
        model: string;
        version: string;
        requests: number;
        error_rate: number;
        client_error_rate: number;
        latency_ms: Record<string, number>;
      }>;
    };
    assert.ok(stats.uptime_seconds >= 0);
    const model = stats.models.find((m) => m.name === 'breast-cancer')!;
    assert.equal(model.production, '1.0.0');
    assert.equal(model.state, 'ready');
    assert.deepEqual(
      model.loaded_versions.map((v) => v.version),
      ['1.0.0'],
    );
    assert.match(model.loaded_versions[0]!.artifact_sha256, /^[0-9a-f]{64}$/);
    const v10 = stats.versions.find((v) => v.version === '1.0.0')!;
    assert.equal(v10.requests, 6, '5 answered + 1 invalid (a replay is not a new prediction)');
    assert.equal(v10.client_error_rate, Math.round((1 / 6) * 1000) / 1000);
    assert.equal(v10.error_rate, 0);
    assert.ok(
      v10.latency_ms.p50! > 0 &&
        v10.latency_ms.p50! <= v10.latency_ms.p95! &&
        v10.latency_ms.p95! <= v10.latency_ms.p99!,
    );
  });

  it('lines up request id, trace id and spans across one request', async () => {
    spans.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const r = await raw(s, 'POST', PREDICT, {
      body: EXAMPLE_BODY,
      headers: { ...json, traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'req-trace-1' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'req-trace-1');
    assert.match(r.headers.get('traceparent')!, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const finished = spans.getFinishedSpans();
    const server = finished.find((sp) => sp.name === 'POST /v1/models/:name/predict')!;
    assert.equal(server.spanContext().traceId, traceId);
    assert.equal(server.parentSpanContext?.spanId, '00f067aa0ba902b7', 'child of the caller span');
    assert.equal(server.attributes['modelgate.request_id'], 'req-trace-1');
    assert.equal(server.attributes['modelgate.model'], 'breast-cancer');
    assert.equal(server.attributes['modelgate.version'], '1.0.0');
    assert.equal(server.attributes['http.response.status_code'], 200);
    for (const name of [
      'modelgate.authenticate',
      'modelgate.route',
      'modelgate.validate',
      'modelgate.inference',
    ]) {
      const child = finished.find((sp) => sp.name === name);
      assert.ok(child, `${name} span`);
      assert.equal(
        child.parentSpanContext?.spanId,
        server.spanContext().spanId,
        `${name} is a child of the request`,
      );
      assert.equal(child.spanContext().traceId, traceId);
    }
    const inference = finished.find((sp) => sp.name === 'modelgate.inference')!;
    assert.equal(inference.attributes['modelgate.version'], '1.0.0');
    assert.equal(inference.attributes['modelgate.instances'], 1);

    const line = s.logs.lines.find((l) => l.req_id === 'req-trace-1' && l.msg === 'request')!;
    assert.equal(line.trace_id, traceId);
    assert.equal(line.model, 'breast-cancer');
    assert.equal(line.version, '1.0.0');
    assert.equal(line.status, 200);
    assert.equal(typeof line.ms, 'number');
    assert.equal(line.principal, 'key:' + s.adminKey.split('_')[1]);
    assert.equal(line.prediction_id, r.json.prediction_id);
    assert.equal(line.inputs, undefined, 'feature values are not logged by default');
    assert.ok(!JSON.stringify(line).includes('17.99'), 'no feature value in the line');
  });
});

describe('logs and traces when tracing is off', () => {
  it('logs the caller trace id, logs inputs only when configured, and levels by meaning', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_LOG_PREDICTION_INPUTS: 'true' } });
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const r = await raw(s, 'POST', PREDICT, {
      body: EXAMPLE_BODY,
      headers: { ...json, traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.equal(r.headers.get('traceparent'), null, 'no span, no traceparent answer');
    const line = s.logs.lines.find((l) => l.req_id === r.headers.get('x-request-id') && l.msg === 'request')!;
    assert.equal(line.trace_id, traceId);
    assert.deepEqual(line.inputs, EXAMPLE.instances);
    assert.equal(line.level, 'info');
    const bad = await raw(s, 'POST', PREDICT, {
      body: '{"instances":[{"x":1}]}',
      headers: { ...json, traceparent: '00-zz-bad' },
    });
    const badLine = s.logs.lines.find((l) => l.req_id === bad.json.request_id && l.msg === 'request')!;
    assert.equal(badLine.level, 'info', 'a client error is not a server error');
    assert.equal(badLine.trace_id, undefined, 'an invalid traceparent is ignored');
  });
});
