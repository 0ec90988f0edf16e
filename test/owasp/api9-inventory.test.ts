// OWASP API9:2023 Improper Inventory Management: the app's routes are a known, documented list;
// every route but liveness and readiness needs a credential; nothing undocumented is served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { raw, REPO, startTestServer } from '../helpers/server.js';

describe('API9 inventory', () => {
  it('serves only documented routes, all but the probes, V2 server metadata and the API docs behind a scope', async (t) => {
    const s = await startTestServer(t);
    const routes = s.server.app.routeInventory;
    // the interactive page's own files (Swagger UI's bundle) are documented as GET /docs, the web
    // console's built files as GET /console
    const isDocsAsset = (url: string) => url.startsWith('/docs/') || url.startsWith('/console/');
    const publicRoutes = routes
      .filter((r) => r.scope === null && !isDocsAsset(r.url))
      .map((r) => `${r.method} ${r.url}`);
    // /metrics is behind the read scope unless MODELGATE_METRICS_PUBLIC says otherwise
    // probes (native and V2), the V2 server metadata (name and version only), the API
    // documentation (MODELGATE_API_DOCS, on by default) and the web console's page and files
    // (MODELGATE_CONSOLE, on by default; every call the page makes needs a credential) are public
    assert.deepEqual(publicRoutes.sort(), [
      'GET /console',
      'GET /docs',
      'GET /health',
      'GET /openapi.json',
      'GET /ready',
      'GET /v2',
      'GET /v2/health/live',
      'GET /v2/health/ready',
    ]);
    const assets = routes.filter((r) => isDocsAsset(r.url));
    assert.ok(assets.every((r) => r.method === 'GET' && r.scope === null));
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const r of routes.filter((x) => !isDocsAsset(x.url))) {
      const documented = r.url.replace(/:([a-z]+)/g, '{$1}');
      assert.ok(
        readme.includes(`\`${r.method} ${documented}\``),
        `README documents ${r.method} ${documented}`,
      );
    }
  });

  it('exposes /metrics only as configured, and nothing undocumented', async (t) => {
    const s = await startTestServer(t);
    assert.equal((await raw(s, 'GET', '/metrics', { key: null })).status, 401);
    assert.equal((await raw(s, 'GET', '/metrics')).status, 200);
    for (const path of ['/debug', '/.env', '/status', '/docs/../.env', '/admin']) {
      assert.equal((await raw(s, 'GET', path, { key: null })).status, 404, path);
    }
    // the API documentation can be turned off: then nothing of it is served
    const quiet = await startTestServer(t, { env: { MODELGATE_API_DOCS: 'false' } });
    for (const path of ['/docs', '/docs/static/index.html', '/openapi.json', '/docs/json']) {
      assert.equal((await raw(quiet, 'GET', path, { key: null })).status, 404, path);
    }
    assert.ok(!quiet.server.app.routeInventory.some((r) => r.url.startsWith('/docs')));
    const open = await startTestServer(t, { env: { MODELGATE_METRICS_PUBLIC: 'true' } });
    assert.equal((await raw(open, 'GET', '/metrics', { key: null })).status, 200);
    assert.ok(!open.server.app.routeInventory.some((r) => r.url === '/stats' && r.scope === null));
  });
});
