// HTTP mapping of the routes and hooks, on buildApp with fakes and app.inject(): no socket, no
// database, no model (the real-port tests under test/ cover what needs those).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { AnswerObservers, type Answer } from '../../modules/serving/answer.js';
import type { PredictRequest } from '../../modules/serving/predict-service.js';
import type { AppServices } from '../app-services.js';
import { buildApp } from '../build-app.js';
import { fakeServices } from '../testing/fake-services.js';

async function appWith(overrides: Parameters<typeof fakeServices>[0] = {}) {
  const fake = fakeServices(overrides);
  const app: FastifyInstance = await buildApp(fake.services);
  return { app, ...fake };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('HTTP mapping (buildApp with fakes, inject)', () => {
  it('/ready is 200 with the models when every production version serves, 503 naming the failed one', async () => {
    let state: 'ready' | 'failed' = 'ready';
    const serving = {
      readiness: () => ({
        ready: state === 'ready',
        models: [
          {
            name: 'iris',
            version: '2.0.0',
            state,
            ...(state === 'failed' ? { error: 'ARTIFACT_INTEGRITY_FAILED: hash differs' } : {}),
          },
        ],
      }),
    } as unknown as AppServices['serving'];
    const { app } = await appWith({ serving });
    const ok = await app.inject('/ready');
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), {
      ready: true,
      models: [{ name: 'iris', version: '2.0.0', state: 'ready' }],
      database: 'available',
    });
    state = 'failed';
    const down = await app.inject('/ready');
    assert.equal(down.statusCode, 503);
    assert.equal(
      down.json<{ models: Array<{ error: string }> }>().models[0]!.error,
      'ARTIFACT_INTEGRITY_FAILED: hash differs',
    );
    await app.close();
  });

  it('/ready turns 503 once shutdown began, while /health stays 200', async () => {
    let shutting = false;
    const serving = { readiness: () => ({ ready: true, models: [] }) } as unknown as AppServices['serving'];
    const { app } = await appWith({ serving, shuttingDown: () => shutting });
    assert.equal((await app.inject('/ready')).statusCode, 200);
    shutting = true;
    const draining = await app.inject('/ready');
    assert.deepEqual(
      [draining.statusCode, draining.json<{ reason: string }>().reason],
      [503, 'shutting down'],
    );
    assert.equal((await app.inject('/health')).json<{ status: string }>().status, 'ok');
    await app.close();
  });

  it('answers a missing credential 401 with the challenge and the security headers', async () => {
    const { app } = await appWith();
    const res = await app.inject('/v1/models');
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.json<{ code: string }>().code, 'UNAUTHENTICATED');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="modelgate"');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    await app.close();
  });

  it('answers a read key on an admin route 403 naming the scope', async () => {
    const { app, keys } = await appWith();
    const key = keys.add('reader', ['read']);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(key),
      payload: { name: 'x', scopes: ['read'] },
    });
    assert.equal(res.statusCode, 403);
    const body = res.json<{ code: string; detail: string }>();
    assert.equal(body.code, 'FORBIDDEN');
    assert.match(body.detail, /needs the 'admin' scope; the credential has read/);
    await app.close();
  });

  it('throttles an address after the configured failed authentications: 429 with Retry-After', async () => {
    const { app } = await appWith({ config: { rateLimitAuthFailuresPerMinute: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await app.inject({ url: '/v1/models', headers: bearer('mg_nosuchkey1_' + 'x'.repeat(30)) }))
          .statusCode,
      );
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const res = await app.inject({ url: '/v1/models', headers: bearer('mg_nosuchkey1_' + 'x'.repeat(30)) });
    assert.equal(res.json<{ code: string }>().code, 'AUTH_THROTTLED');
    assert.equal(res.headers['retry-after'], '60');
    await app.close();
  });

  it('maps a service error to its problem: an unknown model is 404 MODEL_NOT_FOUND', async () => {
    const registry = {
      getModel: (name: string) => Promise.reject(new AppError('MODEL_NOT_FOUND', `no model named ${name}`)),
      listModels: () =>
        Promise.resolve([
          {
            name: 'iris',
            createdAt: '2026-01-01T00:00:00.000Z',
            aliases: { production: '2.0.0' },
            versionCount: 2,
            latestVersion: '2.0.0',
            versionStates: { active: 1, deprecated: 1, archived: 0 },
          },
        ]),
    } as unknown as AppServices['registry'];
    const { app, keys } = await appWith({ registry });
    const key = keys.add('reader', ['read']);
    const missing = await app.inject({ url: '/v1/models/nope', headers: bearer(key) });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(
      [missing.json<{ code: string }>().code, missing.json<{ detail: string }>().detail],
      ['MODEL_NOT_FOUND', 'no model named nope'],
    );
    const list = await app.inject({ url: '/v1/models', headers: bearer(key) });
    assert.deepEqual(list.json(), {
      models: [
        {
          name: 'iris',
          created_at: '2026-01-01T00:00:00.000Z',
          aliases: { production: '2.0.0' },
          version_count: 2,
          latest_version: '2.0.0',
          version_states: { active: 1, deprecated: 1, archived: 0 },
        },
      ],
    });
    await app.close();
  });

  it('hands each predict request to the data-plane observers after the answer, refusals included', async () => {
    const predict = {
      predict: (req: PredictRequest) => {
        const trace = req.trace!;
        trace.model = 'iris';
        trace.version = '1.0.0';
        if (req.instances.length > 1) {
          trace.attempts.push({ model: 'iris', version: '1.0.0', outcome: 'invalid', instances: 2 });
          return Promise.reject(new AppError('VALIDATION_FAILED', '/instances/1/x: is required'));
        }
        trace.attempts.push({ model: 'iris', version: '1.0.0', outcome: 'ok', instances: 1, inferenceMs: 1 });
        return Promise.resolve({
          model: 'iris',
          version: '1.0.0',
          artifactSha256: 'a'.repeat(64),
          predictionId: 'p-1',
          predictions: [{ label: 'setosa', probabilities: { setosa: 1 } }],
        });
      },
    } as unknown as AppServices['predict'];
    const lifecycle = { deprecation: () => undefined } as unknown as AppServices['lifecycle'];
    const seen: Answer[] = [];
    const answers = new AnswerObservers().add({
      name: 'test',
      observe: (a) => seen.push(structuredClone(a)),
    });
    const { app, keys } = await appWith({ predict, lifecycle, answers });
    const key = keys.add('caller', ['predict']);
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/models/iris/predict',
      headers: bearer(key),
      payload: { instances: [{ x: 1 }] },
    });
    assert.equal(ok.statusCode, 200);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/models/iris/predict',
      headers: bearer(key),
      payload: { instances: [{ x: 1 }, {}] },
    });
    assert.equal(bad.statusCode, 422);
    // refused before the route (no credential): no trace, nothing observed
    await app.inject({ method: 'POST', url: '/v1/models/iris/predict', payload: { instances: [{ x: 1 }] } });
    assert.deepEqual(
      seen.map((a) => [a.protocol, a.model, a.version, a.status, a.attempts.map((t) => t.outcome).join()]),
      [
        ['native', 'iris', '1.0.0', 200, 'ok'],
        ['native', 'iris', '1.0.0', 422, 'invalid'],
      ],
    );
    assert.equal(seen[0]!.answered?.predictionId, 'p-1');
    assert.deepEqual(seen[0]!.answered?.rows, [{ x: 1 }]);
    assert.equal(seen[1]!.answered, undefined);
    assert.ok(seen.every((a) => a.latencyMs > 0 && a.atMs > 0));
    await app.close();
  });

  it('answers an unknown route 404 and a wrong method 405 with Allow', async () => {
    const { app } = await appWith();
    const nothing = await app.inject('/v1/nothing-here');
    assert.equal(nothing.statusCode, 404);
    assert.equal(nothing.headers['content-type'], 'application/problem+json; charset=utf-8');
    const wrong = await app.inject({ method: 'DELETE', url: '/health' });
    assert.equal(wrong.statusCode, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD');
    await app.close();
  });
});
