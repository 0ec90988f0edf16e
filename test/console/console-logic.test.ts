// The web console's pure helpers: formatting, routes, drift view, plan templates, audit query,
// Idempotency-Key values, traffic from /stats (table tests).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftColumn, Stats } from '../../console/src/api/types.js';
import { ApiProblem } from '../../console/src/api/problem.js';
import { auditQuery, EMPTY_FILTER } from '../../console/src/logic/audit-query.js';
import { visibleColumns } from '../../console/src/logic/drift-view.js';
import { bytes, duration, num, pct, pValue, time } from '../../console/src/logic/format.js';
import { newIdempotencyKey } from '../../console/src/logic/idempotency-key.js';
import { PLAN_TEMPLATES, planText, rolloutBody } from '../../console/src/logic/plan-templates.js';
import { href, parseRoute } from '../../console/src/logic/routes.js';
import { modelTraffic } from '../../console/src/logic/traffic.js';
import { parseIdempotencyKey } from '../../src/http/idempotency.js';
import { PlanSchema } from '../../src/modules/rollouts/plan.js';
import { Value } from '@sinclair/typebox/value';

describe('console formatting', () => {
  it('formats numbers, shares, p-values, durations, times and sizes', () => {
    const cases: Array<[string, string]> = [
      [pct(0.0123), '1.23%'],
      [pct(null), '–'],
      [pct(Number.NaN), '–'],
      [num(0.123456), '0.1235'],
      [num(2), '2'],
      [num(0.00001234), '1.23e-5'],
      [num(0), '0'],
      [pValue(0.0412), '0.041'],
      [pValue(0.00002), '2.00e-5'],
      [pValue(0), '0'],
      [pValue(null), '–'],
      [duration(5), '5 s'],
      [duration(754), '12 min 34 s'],
      [duration(600), '10 min'],
      [duration(3725), '1 h 2 min'],
      [duration(-3), '0 s'],
      [time('2026-11-23T10:04:05.123Z'), '2026-11-23 10:04:05 UTC'],
      [time(null), '–'],
      [time('not a date'), 'not a date'],
      [bytes(512), '512 B'],
      [bytes(2048), '2.0 KiB'],
      [bytes(5 * 1024 ** 2), '5.0 MiB'],
    ];
    for (const [got, want] of cases) assert.equal(got, want);
  });
});

describe('console routes', () => {
  it('reads every page from the fragment, and nothing else', () => {
    const cases: Array<[string, unknown]> = [
      ['', { page: 'models' }],
      ['#/models', { page: 'models' }],
      ['#/models/breast-cancer', { page: 'model', name: 'breast-cancer' }],
      ['#/models/breast-cancer/versions/1.1.0', { page: 'version', name: 'breast-cancer', version: '1.1.0' }],
      ['#/rollouts', { page: 'rollouts' }],
      ['#/rollouts/ro_0123456789abcdef', { page: 'rollout', id: 'ro_0123456789abcdef' }],
      ['#/audit', { page: 'audit' }],
      ['#/keys', { page: 'keys' }],
      ['#/models/%E0%A4%A', { page: 'not-found', path: '/models/%E0%A4%A' }],
      ['#/models//versions', { page: 'not-found', path: '/models//versions' }],
      ['#/nope', { page: 'not-found', path: '/nope' }],
      ['#/keys/extra', { page: 'not-found', path: '/keys/extra' }],
    ];
    for (const [hash, route] of cases) assert.deepEqual(parseRoute(hash), route, hash);
  });

  it('links round-trip any name, markup included', () => {
    const name = '<img src=x onerror=alert(1)>/x';
    assert.deepEqual(parseRoute(href.version(name, '1.0.0+b/1')), {
      page: 'version',
      name,
      version: '1.0.0+b/1',
    });
    assert.doesNotMatch(href.model(name), /[<>/ ]x/);
  });
});

describe('console drift view', () => {
  const col = (feature: string, psi: number | null, verdict: string) =>
    ({ feature, psi, verdict }) as DriftColumn;
  const columns = [
    col('a', 0.05, 'ok'),
    col('b', 0.4, 'drift'),
    col('c', null, 'insufficient_data'),
    col('d', 0.4, 'drift'),
    col('e', 0.15, 'watch'),
  ];
  it('sorts by PSI (ties in manifest order, no PSI last) and filters the drifted', () => {
    const names = (o: Parameters<typeof visibleColumns>[1]) =>
      visibleColumns(columns, o).map((c) => c.feature);
    assert.deepEqual(names({ sort: 'manifest', driftedOnly: false }), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(names({ sort: 'psi', driftedOnly: false }), ['b', 'd', 'e', 'a', 'c']);
    assert.deepEqual(names({ sort: 'psi', driftedOnly: true }), ['b', 'd']);
    assert.deepEqual(names({ sort: 'manifest', driftedOnly: true }), ['b', 'd']);
    assert.deepEqual(visibleColumns([], { sort: 'psi', driftedOnly: true }), []);
  });
});

describe('console plan templates', () => {
  it('sends a preset as its strategy alone, and the quick plan as a valid plan', () => {
    const canary = PLAN_TEMPLATES.find((t) => t.id === 'canary')!;
    assert.deepEqual(rolloutBody('1.2.0', canary, planText(canary)), {
      candidate: '1.2.0',
      strategy: 'canary',
    });
    const quick = PLAN_TEMPLATES.find((t) => t.id === 'quick')!;
    const body = rolloutBody('1.2.0', quick, planText(quick));
    assert.ok(Value.Check(PlanSchema, body.plan), 'the server accepts the quick plan');
    assert.deepEqual(rolloutBody('1.2.0', quick, '  '), { candidate: '1.2.0', strategy: 'canary' });
    assert.throws(() => rolloutBody('1.2.0', quick, '{"steps": ['), /the plan is not valid JSON/);
    for (const t of PLAN_TEMPLATES) assert.ok(['canary', 'shadow', 'blue-green', 'ab'].includes(t.strategy));
  });
});

describe('console audit query', () => {
  it('leaves out empty fields and reads times as UTC', () => {
    assert.equal(auditQuery(EMPTY_FILTER, undefined), 'limit=25');
    assert.equal(
      auditQuery(
        { model: ' breast-cancer ', principal: 'key:ab', since: '2026-11-23T10:00', until: '', limit: 5 },
        '42',
      ),
      'model=breast-cancer&principal=key%3Aab&since=2026-11-23T10%3A00%3A00Z&limit=5&cursor=42',
    );
  });
});

describe('console Idempotency-Key', () => {
  it('is a quoted version-4 UUID the server accepts, fresh each time', async () => {
    const random = (b: Uint8Array) => b.fill(0xff);
    assert.equal(newIdempotencyKey(random), '"ffffffff-ffff-4fff-bfff-ffffffffffff"');
    const zero = newIdempotencyKey((b) => b.fill(0));
    assert.equal(zero, '"00000000-0000-4000-8000-000000000000"');
    assert.equal(parseIdempotencyKey(zero), '00000000-0000-4000-8000-000000000000');
    const { randomFillSync } = await import('node:crypto');
    const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey((b) => randomFillSync(b))));
    assert.equal(keys.size, 100);
  });
});

describe('console problem details', () => {
  it('reads problem+json, the V2 error body, and anything else', () => {
    const p = ApiProblem.fromBody(422, {
      title: 'The request failed validation',
      code: 'VALIDATION_FAILED',
      detail: '/plan/steps/0/weight: must be <= 100',
      errors: [{ pointer: '/plan/steps/0/weight', detail: 'must be <= 100' }, { nonsense: true }],
      request_id: 'r-1',
    });
    assert.deepEqual(
      [p.status, p.code, p.title, p.detail, p.errors.length, p.requestId],
      [
        422,
        'VALIDATION_FAILED',
        'The request failed validation',
        '/plan/steps/0/weight: must be <= 100',
        1,
        'r-1',
      ],
    );
    const v2 = ApiProblem.fromBody(400, { error: 'bad shape' });
    assert.deepEqual([v2.code, v2.detail], ['HTTP_400', 'bad shape']);
    const junk = ApiProblem.fromBody(502, 'gateway');
    assert.deepEqual([junk.code, junk.detail], ['HTTP_502', 'the server answered 502']);
  });
});

describe('console traffic figures', () => {
  it('sums a model across its versions over the /stats window', () => {
    const stats = {
      window_seconds: 300,
      versions: [
        { model: 'm', version: '1', requests: 900, error_rate: 0.01 },
        { model: 'm', version: '2', requests: 100, error_rate: 0.1 },
        { model: 'other', version: '1', requests: 5000, error_rate: 1 },
      ],
    } as unknown as Stats;
    const t = modelTraffic(stats, 'm');
    assert.equal(t.requests, 1000);
    assert.equal(t.perMinute, 200);
    assert.ok(Math.abs(t.errorRate! - 0.019) < 1e-12);
    assert.deepEqual(modelTraffic(stats, 'none'), { requests: 0, perMinute: 0, errorRate: null });
  });
});
