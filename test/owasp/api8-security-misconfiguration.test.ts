// OWASP API8:2023 Security Misconfiguration: errors are problem+json without internals, security
// headers are set, CORS is off unless an allow-list is configured, unexpected methods are refused.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';
import { demoServer, EXAMPLE_BODY, json } from './setup.js';

type Answer = Awaited<ReturnType<typeof raw>>;

/** The headers every answer carries, whatever refused it and however early. */
function assertSecurityHeaders(r: Answer, what: string): void {
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff', what);
  // an API's policy (OWASP REST cheat sheet): nothing loads, nothing frames; no HTML-page defaults
  assert.equal(r.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'", what);
  assert.match(r.headers.get('strict-transport-security') ?? '', /max-age=/, what);
  assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN', what);
  assert.equal(r.headers.get('cross-origin-resource-policy'), 'same-origin', what);
  assert.equal(r.headers.get('x-powered-by'), null, what);
}

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
    for (const path of ['/health', '/v1/models', '/nope'])
      assertSecurityHeaders(await raw(s, 'GET', path), path);
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

describe('API8 security headers on refusals', () => {
  it('sets them on 401, 403, 404, 413, 429 and 503 answers, whichever hook refused', async (t) => {
    const s = await demoServer(t, {
      MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '2',
      MODELGATE_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
      // any process is over 1 KiB: inference is shed from the first memory sample on
      MODELGATE_LOAD_SHED_MAX_RSS_BYTES: '1024',
    });
    const seen = new Map<string, Answer>();
    const expect = async (what: string, status: number, code: string, send: () => Promise<Answer>) => {
      const r = await send();
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(r.json.code, code, what);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8', what);
      assertSecurityHeaders(r, what);
      seen.set(what, r);
    };

    await expect('401 without a key', 401, 'UNAUTHENTICATED', () =>
      raw(s, 'GET', '/v1/models', { key: null }),
    );
    await expect('403 without the scope', 403, 'FORBIDDEN', () =>
      raw(s, 'GET', '/v1/keys', { key: s.readKey }),
    );
    await expect('404 unknown route', 404, 'NOT_FOUND', () => raw(s, 'GET', '/nope', { key: null }));
    await expect('404 unknown model', 404, 'MODEL_NOT_FOUND', () => raw(s, 'GET', '/v1/models/nope'));
    await expect('413 body over the limit', 413, 'PAYLOAD_TOO_LARGE', () =>
      raw(s, 'POST', '/v1/keys', {
        body: JSON.stringify({ name: 'x'.repeat(1_100_000), scopes: ['read'] }),
        headers: json,
      }),
    );
    for (let i = 0; i < 2; i++)
      assert.equal((await raw(s, 'GET', '/v1/models', { key: s.readKey })).status, 200);
    await expect('429 per-principal rate limit', 429, 'RATE_LIMITED', () =>
      raw(s, 'GET', '/v1/models', { key: s.readKey }),
    );
    // shedding starts at under-pressure's first sample (a timer): ask until it has run
    let shed: Answer | undefined;
    for (let i = 0; i < 100 && shed?.status !== 503; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      shed = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
        key: null,
        body: EXAMPLE_BODY,
        headers: json,
      });
    }
    await expect('503 load shedding, before authentication', 503, 'OVERLOADED', async () => shed!);
    // last: from here on this address may not authenticate for a minute
    for (let i = 0; i < 3; i++)
      await raw(s, 'GET', '/v1/models', { key: 'mg_Unknown0000_' + 'x'.repeat(43) });
    await expect('429 failed-authentication throttle', 429, 'AUTH_THROTTLED', () =>
      raw(s, 'GET', '/v1/models'),
    );
    assert.equal(seen.size, 8);
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
    // a refused request from an allowed origin can be read by its page, so it can tell the user why
    const refused = await raw(s, 'GET', '/v1/models', {
      key: null,
      headers: { origin: 'https://app.example.com' },
    });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://app.example.com');
  });

  it('refuses a malformed origin in the config', async (t) => {
    await assert.rejects(
      startTestServer(t, { env: { MODELGATE_CORS_ORIGINS: 'app.example.com/path' } }),
      /is not an origin/,
    );
  });
});
