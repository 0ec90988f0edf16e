import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ModelgateApiError, ModelgateClient, type ClientOptions } from '../../src/client/client.js';

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
interface Seen {
  method: string;
  url: string;
  /** the Idempotency-Key header as sent */
  key: string | undefined;
}

// A scripted stub server: each request takes the next answer. The real server's 429 is covered by
// test/integration/client-retries.int.test.ts; a 503 is hard to get from it on demand.
describe('ModelgateClient retries', () => {
  let server: Server;
  let base: string;
  let script: Answer[] = [];
  let seen: Seen[] = [];
  let slept: number[] = [];
  const ok = { status: 200, body: { model: 'm', version: '1.0.0', predictions: [] } };
  const unavailable = (retryAfter?: string): Answer => ({
    status: 503,
    body: { code: 'OVERLOADED', detail: 'shedding load' },
    ...(retryAfter !== undefined ? { headers: { 'retry-after': retryAfter } } : {}),
  });
  const rateLimited = (retryAfter: string): Answer => ({
    status: 429,
    body: { code: 'RATE_LIMITED', detail: 'too many' },
    headers: { 'retry-after': retryAfter },
  });
  const client = (options: Partial<ClientOptions> = {}) =>
    new ModelgateClient({
      baseUrl: base,
      apiKey: 'mg_test',
      sleep: async (ms) => void slept.push(ms),
      ...options,
    });

  before(async () => {
    server = createServer((req, res) => {
      const key = req.headers['idempotency-key'];
      seen.push({ method: req.method!, url: req.url!, key: Array.isArray(key) ? key.join(',') : key });
      const a = script.shift() ?? { status: 500, body: { code: 'SCRIPT_EMPTY', detail: 'no answer left' } };
      const type = a.status < 400 ? 'application/json' : 'application/problem+json';
      req.resume();
      req.on('end', () =>
        res.writeHead(a.status, { 'content-type': type, ...a.headers }).end(JSON.stringify(a.body)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    script = [];
    seen = [];
    slept = [];
  });

  it('retries a write with the same Idempotency-Key on every attempt, waiting what Retry-After says', async () => {
    script = [unavailable('2'), unavailable('0'), ok];
    await client().promote('m', '1.0.0');
    assert.deepEqual(slept, [2000, 0]);
    assert.equal(seen.length, 3);
    const keys = seen.map((s) => s.key);
    assert.match(keys[0]!, /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/);
    assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
  });

  it('retries a prediction without a key: repeating one changes nothing, and the server stores nothing', async () => {
    script = [unavailable('1'), rateLimited('0'), ok];
    const r = await client().predict('m', [{ x: 1 }]);
    assert.equal(r.version, '1.0.0');
    assert.deepEqual(slept, [1000, 0]);
    assert.deepEqual(
      seen.map((s) => s.key),
      [undefined, undefined, undefined],
    );
  });

  it('gives each logical write its own key', async () => {
    script = [ok, ok];
    const c = client();
    await c.promote('m', '1.0.0');
    await c.promote('m', '1.0.0');
    assert.notEqual(seen[0]!.key, seen[1]!.key);
  });

  it("sends the caller's own key as a structured-field string", async () => {
    script = [unavailable('1'), ok];
    await client().predict('m', [{ x: 1 }], { idempotencyKey: 'job-7 "a\\b"' });
    assert.deepEqual(
      seen.map((s) => s.key),
      ['"job-7 \\"a\\\\b\\""', '"job-7 \\"a\\\\b\\""'],
    );
  });

  it('never retries a write that carries no key (idempotencyKeys: false), whatever the answer', async () => {
    for (const answer of [
      unavailable('1'),
      { status: 429, body: { code: 'RATE_LIMITED' }, headers: { 'retry-after': '1' } },
    ]) {
      script = [answer, ok];
      seen = [];
      const err = await client({ idempotencyKeys: false })
        .rollback('m')
        .then(
          () => assert.fail('expected an error'),
          (e: unknown) => e,
        );
      assert.ok(err instanceof ModelgateApiError);
      assert.equal(err.status, answer.status);
      assert.equal(err.retryAfter, '1');
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.key, undefined);
    }
    assert.deepEqual(slept, []);
  });

  it('sends no key to a route that does not deduplicate, and so does not retry it', async () => {
    script = [unavailable('1'), ok];
    await assert.rejects(client().verify('m', '1.0.0'), { status: 503, code: 'OVERLOADED' });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.key, undefined);
  });

  it('backs off exponentially without Retry-After and gives up after 3 retries with the last error', async () => {
    script = [unavailable(), unavailable(), unavailable(), unavailable(), ok];
    await assert.rejects(client().listModels(), (err: unknown) => {
      assert.ok(err instanceof ModelgateApiError);
      assert.equal(err.code, 'OVERLOADED');
      return true;
    });
    assert.equal(seen.length, 4);
    assert.equal(slept.length, 3);
    const [a, b, c] = slept as [number, number, number];
    assert.ok(a >= 250 && a <= 500, `first wait ${a}`);
    assert.ok(b >= 500 && b <= 1000, `second wait ${b}`);
    assert.ok(c >= 1000 && c <= 2000, `third wait ${c}`);
    assert.equal(script.length, 1, 'the fifth answer was never asked for');
  });

  it('does not wait for a Retry-After longer than the longest wait: the error at once, with the header', async () => {
    script = [
      { status: 429, body: { code: 'RATE_LIMITED', detail: 'slow down' }, headers: { 'retry-after': '45' } },
      ok,
    ];
    await assert.rejects(client().listModels(), { status: 429, code: 'RATE_LIMITED', retryAfter: '45' });
    assert.equal(seen.length, 1);
    script = [
      { status: 429, body: { code: 'RATE_LIMITED' }, headers: { 'retry-after': '45' } },
      { status: 200, body: { models: [] } },
    ];
    seen = [];
    assert.deepEqual(await client({ retry: { maxWaitMs: 60_000 } }).listModels(), []);
    assert.deepEqual(slept, [45_000]);
  });

  it('retries a key still in flight (409 with Retry-After) until the first answer is replayed', async () => {
    script = [
      { status: 409, body: { code: 'IDEMPOTENCY_KEY_IN_FLIGHT' }, headers: { 'retry-after': '1' } },
      { ...ok, headers: { 'idempotent-replayed': 'true' } },
    ];
    assert.equal((await client().predict('m', [{ x: 1 }])).model, 'm');
    assert.deepEqual(slept, [1000]);
  });

  it('does not retry other errors, nor a readiness answer of 503', async () => {
    script = [
      { status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED' } },
      { status: 503, body: { ready: false, models: [] } },
    ];
    await assert.rejects(client().predict('m', [{ x: 1 }]), { code: 'IDEMPOTENCY_KEY_REUSED' });
    assert.deepEqual(await client().ready(), { ready: false, models: [] });
    assert.equal(seen.length, 2);
    assert.deepEqual(slept, []);
  });

  it('retries: 0 turns retries off', async () => {
    script = [unavailable('0'), ok];
    await assert.rejects(client({ retry: { maxRetries: 0 } }).listModels(), { status: 503 });
    assert.equal(seen.length, 1);
  });
});
