import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ModelgateApiError, ModelgateClient } from '../../src/client/client.js';

// A stub server (unit test of the client's answer handling; the real server is covered by the
// Pact verification and the integration suite).
describe('ModelgateClient answer handling', () => {
  let server: Server;
  let client: ModelgateClient;
  const answers: Record<string, [number, string, unknown]> = {
    '/ready': [503, 'application/json', { ready: false, models: [] }],
    '/v2/models/m/ready': [503, 'application/problem+json', { code: 'OVERLOADED', detail: 'shedding load' }],
    '/v2/models/x/ready': [503, 'application/json', { error: 'the server is shutting down' }],
    '/v2/models/m/infer': [400, 'application/json', { error: "input 'input' has shape [1,29]" }],
  };
  before(async () => {
    server = createServer((req, res) => {
      const [status, type, body] = answers[req.url ?? ''] ?? [404, 'application/json', {}];
      const code = req.url === '/v2/models/m/infer' ? { 'x-modelgate-error-code': 'V2_BAD_REQUEST' } : {};
      res.writeHead(status, { 'content-type': type, ...code }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    // answer handling only: the retries of these 503s are tested in client-retries.test.ts
    client = new ModelgateClient({ baseUrl: `http://127.0.0.1:${address.port}`, retry: { maxRetries: 0 } });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns a readiness document for 503 with ready: false', async () => {
    assert.deepEqual(await client.ready(), { ready: false, models: [] });
  });

  it('throws for a 503 that is a problem or a V2 error, not a readiness answer', async () => {
    await assert.rejects(client.v2ModelReady('m'), (err: unknown) => {
      assert.ok(err instanceof ModelgateApiError);
      assert.equal(err.code, 'OVERLOADED');
      assert.equal(err.status, 503);
      return true;
    });
    await assert.rejects(client.v2ModelReady('x'), /HTTP_503: the server is shutting down/);
  });

  it("reads the V2 protocol's {error} body and the code header into the error", async () => {
    const inputs = [{ name: 'input', shape: [1, 29], datatype: 'FP32', data: [] }];
    await assert.rejects(client.v2Infer('m', { inputs }), (err: unknown) => {
      assert.ok(err instanceof ModelgateApiError);
      assert.equal(err.status, 400);
      assert.equal(err.code, 'V2_BAD_REQUEST');
      assert.equal(err.detail, "input 'input' has shape [1,29]");
      return true;
    });
  });
});
