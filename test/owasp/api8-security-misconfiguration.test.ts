// OWASP API8:2023 Security Misconfiguration: errors are problem+json without internals, security
// headers are set, CORS is off unless an allow-list is configured, unexpected methods are refused.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

function rawMethod(base: string, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('API8 security misconfiguration', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => {
    s = await startTestServer(scope);
  });
  after(() => scope.run());

  it('answers an unexpected failure with a bare 500 problem, the details only in the log', async () => {
    const registry = s.server.runtime.services.registry;
    const original = registry.listModels.bind(registry);
    registry.listModels = () => Promise.reject(new Error('boom at /srv/secret/path.db: SQLITE_CORRUPT'));
    try {
      const r = await raw(s, 'GET', '/v1/models');
      assert.equal(r.status, 500);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.equal(r.json.code, 'INTERNAL');
      assert.ok(!/boom|secret|SQLITE|\bat\b.*\.(ts|js)/.test(r.text), r.text);
      const logged = s.logs.lines.find((l) => l.req_id === r.json.request_id && l.msg === 'unexpected error');
      assert.match(JSON.stringify(logged), /boom at/);
    } finally {
      registry.listModels = original;
    }
  });

  it('sets security headers on every answer', async () => {
    for (const path of ['/health', '/v1/models', '/nope']) {
      const r = await raw(s, 'GET', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=/);
      assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(r.headers.get('x-powered-by'), null);
    }
  });

  it('sends no CORS headers when no origin is allowed', async () => {
    const r = await raw(s, 'GET', '/v1/models', { headers: { origin: 'https://evil.example' } });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const pre = await raw(s, 'OPTIONS', '/v1/models', {
      key: null,
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
    assert.ok(pre.status >= 400);
  });

  it('refuses methods a path does not serve with 405 and Allow', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const r = await raw(s, method, '/v1/models');
      assert.equal(r.status, 405, method);
      assert.equal(r.json.code, 'METHOD_NOT_ALLOWED');
      assert.equal(r.headers.get('allow'), 'GET, HEAD');
    }
    // methods fetch() will not send, over a plain socket
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL']) {
      const status = await rawMethod(s.url, method, '/v1/models');
      assert.ok(status === 405 || status === 400, `${method}: ${status}`);
    }
  });

  it('answers unknown paths 404 problem+json', async () => {
    const r = await raw(s, 'GET', '/admin/../../etc/passwd');
    assert.equal(r.status, 404);
    assert.equal(r.json.code, 'NOT_FOUND');
  });
});

describe('API8 CORS with an allow-list', () => {
  it('allows exactly the configured origins', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_CORS_ORIGINS: 'https://app.example.com' } });
    const ok = await raw(s, 'OPTIONS', '/v1/models', {
      key: null,
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /idempotency-key/);
    const evil = await raw(s, 'GET', '/v1/models', { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
  });

  it('refuses a malformed origin in the config', async (t) => {
    await assert.rejects(
      startTestServer(t, { env: { MODELGATE_CORS_ORIGINS: 'app.example.com/path' } }),
      /is not an origin/,
    );
  });
});
