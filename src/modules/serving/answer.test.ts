import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Observability } from '../../observability/observability.js';
import { predictionLogObserver, type LoggedPrediction } from '../feedback/prediction-log.js';
import { AnswerObservers, newTrace, type Answer } from './answer.js';

function answer(over: Partial<Answer> = {}): Answer {
  return {
    ...newTrace('native'),
    model: 'iris',
    version: '1.0.0',
    attempts: [{ model: 'iris', version: '1.0.0', outcome: 'ok', instances: 2, inferenceMs: 0.5 }],
    answered: {
      predictionId: 'p-1',
      rows: [{ x: 1 }, { x: 2 }],
      predictions: [{ label: 'a' }, { label: 'b' }] as never,
    },
    status: 200,
    latencyMs: 3,
    atMs: 1_000,
    ...over,
  };
}

describe('AnswerObservers', () => {
  it('tells every observer in the order added, and one that throws stops none of the others', () => {
    const seen: string[] = [];
    const failures: Array<[string, string]> = [];
    const observers = new AnswerObservers((name, err) => failures.push([name, (err as Error).message]))
      .add({ name: 'first', observe: (a) => seen.push(`first ${a.status}`) })
      .add({
        name: 'broken',
        observe: () => {
          throw new Error('boom');
        },
      })
      .add({ name: 'last', observe: (a) => seen.push(`last ${a.version}`) });
    observers.notify(answer());
    observers.notify(answer({ status: 422, version: '2.0.0' }));
    assert.deepEqual(seen, ['first 200', 'last 1.0.0', 'first 422', 'last 2.0.0']);
    assert.deepEqual(failures, [
      ['broken', 'boom'],
      ['broken', 'boom'],
    ]);
    assert.deepEqual(observers.names, ['first', 'broken', 'last']);
  });
});

describe('data-plane observers', () => {
  it('metrics count every attempt by outcome (a failed candidate and the stable answer both count)', async () => {
    const o = new Observability('0.0.0-test', { serviceName: 'test' });
    o.predictionMetrics.observe(
      answer({
        attempts: [
          { model: 'iris', version: '2.0.0', outcome: 'error', instances: 2 },
          { model: 'iris', version: '1.0.0', outcome: 'ok', instances: 2, inferenceMs: 4 },
        ],
      }),
    );
    const text = await o.metrics.registry.metrics();
    assert.match(text, /modelgate_predictions_total\{model="iris",version="2.0.0",outcome="error"\} 1/);
    assert.match(text, /modelgate_predictions_total\{model="iris",version="1.0.0",outcome="ok"\} 1/);
    assert.match(text, /modelgate_inference_duration_seconds_count\{model="iris",version="1.0.0"\} 1/);
    assert.match(text, /modelgate_inference_duration_seconds_sum\{model="iris",version="1.0.0"\} 0.004/);
  });

  it('stats record the answering version with the HTTP status and latency; none before a version was picked', () => {
    const o = new Observability('0.0.0-test', { serviceName: 'test' });
    o.trafficStats.observe(answer({ status: 200, latencyMs: 3, atMs: 1_000 }));
    o.trafficStats.observe(answer({ status: 422, latencyMs: 1, atMs: 1_001 }));
    o.trafficStats.observe({ ...newTrace('native'), status: 404, latencyMs: 1, atMs: 1_002 });
    const [s, ...others] = o.stats.snapshot(1_010, 60_000);
    assert.deepEqual(others, []);
    assert.deepEqual(
      [s!.model, s!.version, s!.requests, s!.client_error_rate, s!.latency_ms.max],
      ['iris', '1.0.0', 2, 0.5, 3],
    );
  });

  it('the prediction log takes answered native predictions only, with inputs when asked', () => {
    const logged: LoggedPrediction[] = [];
    const log = { add: (p: LoggedPrediction) => logged.push(p) };
    predictionLogObserver(log, true).observe(answer());
    predictionLogObserver(log, false).observe(
      answer({ answered: { ...answer().answered, variant: 'candidate', rolloutId: 'r1' } }),
    );
    // a V2 answer has no prediction id; a refused request has no answer
    predictionLogObserver(log, true).observe(
      answer({ protocol: 'v2', answered: { rows: [], predictions: [] } }),
    );
    predictionLogObserver(log, true).observe(answer({ status: 422, answered: undefined }));
    assert.deepEqual(
      logged.map((p) => [p.id, p.variant, p.rolloutId, p.inputs?.length ?? null]),
      [
        ['p-1', null, null, 2],
        ['p-1', 'candidate', 'r1', null],
      ],
    );
  });
});
