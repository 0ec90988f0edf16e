import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelgateClient } from '../../src/client/client.js';
import { apiError, startTestServer } from '../helpers/server.js';

// The typed client against the server's real rate limit: a 429 whose Retry-After (the seconds
// left in the one-minute window) the client honours, or refuses to wait for when it is too long.
describe('typed client retries against a real 429', () => {
  it('waits what Retry-After says between retries, then surfaces RATE_LIMITED with the header', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '2' } });
    const slept: number[] = [];
    const patient = new ModelgateClient({
      baseUrl: s.url,
      apiKey: s.adminKey,
      retry: { maxWaitMs: 120_000 },
      // a recorded wait, not a real one: the window only reopens after a minute
      sleep: async (ms) => void slept.push(ms),
    });
    assert.deepEqual(await patient.listModels(), []);
    assert.deepEqual(await patient.listModels(), []);
    const err = await apiError(patient.listModels());
    assert.equal(err.status, 429);
    assert.equal(err.code, 'RATE_LIMITED');
    const told = Number(err.retryAfter);
    assert.ok(Number.isInteger(told) && told >= 1 && told <= 60, `Retry-After ${err.retryAfter}`);
    assert.equal(slept.length, 3, 'three retries, each refused again');
    for (const ms of slept) {
      assert.equal(ms % 1000, 0, 'whole seconds, as the header says');
      assert.ok(ms >= told * 1000 && ms <= 60_000, `waited ${ms} ms`);
    }

    // a longest wait shorter than what the server asks: the error at once
    const hasty = new ModelgateClient({
      baseUrl: s.url,
      apiKey: s.adminKey,
      retry: { maxWaitMs: 1_000 },
      sleep: async (ms) => void slept.push(ms),
    });
    slept.length = 0;
    const again = await apiError(hasty.getModel('none'));
    assert.equal(again.code, 'RATE_LIMITED');
    assert.ok(Number(again.retryAfter) > 1, `Retry-After ${again.retryAfter}`);
    assert.deepEqual(slept, []);
  });
});
