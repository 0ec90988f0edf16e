// OWASP API9:2023 Improper Inventory Management: the app's routes are a known, documented list;
// every route but liveness and readiness needs a credential; nothing undocumented is served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { raw, REPO, startTestServer } from '../helpers/server.js';

describe('API9 inventory', () => {
  it('serves only documented routes, all but the probes and V2 server metadata behind a scope', async (t) => {
    const s = await startTestServer(t);
    const routes = s.server.app.routeInventory;
    const publicRoutes = routes.filter((r) => r.scope === null).map((r) => `${r.method} ${r.url}`);
    // /metrics is behind the read scope unless MODELGATE_METRICS_PUBLIC says otherwise
    // probes (native and V2) and the V2 server metadata (name and version only) are public
    assert.deepEqual(publicRoutes.sort(), [
      'GET /health',
      'GET /ready',
      'GET /v2',
      'GET /v2/health/live',
      'GET /v2/health/ready',
    ]);
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const r of routes) {
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
    for (const path of ['/docs', '/openapi.json', '/debug', '/.env', '/status']) {
      assert.equal((await raw(s, 'GET', path, { key: null })).status, 404, path);
    }
    const open = await startTestServer(t, { env: { MODELGATE_METRICS_PUBLIC: 'true' } });
    assert.equal((await raw(open, 'GET', '/metrics', { key: null })).status, 200);
    assert.ok(!open.server.app.routeInventory.some((r) => r.url === '/stats' && r.scope === null));
  });
});
