// OWASP API9:2023 Improper Inventory Management: the app's routes are a known, documented list;
// every route but liveness and readiness needs a credential; nothing undocumented is served.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { raw, REPO, startTestServer } from '../helpers/server.js';

describe('API9 inventory', () => {
  it('serves only documented routes, all but /health and /ready behind a scope', async (t) => {
    const s = await startTestServer(t);
    const routes = s.server.app.routeInventory;
    const publicRoutes = routes.filter((r) => r.scope === null).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(publicRoutes.sort(), ['GET /health', 'GET /ready']);
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    for (const r of routes) {
      const documented = r.url.replace(/:([a-z]+)/g, '{$1}');
      assert.ok(
        readme.includes(`\`${r.method} ${documented}\``),
        `README documents ${r.method} ${documented}`,
      );
    }
  });

  it('does not expose /metrics or /docs (not served by this build)', async (t) => {
    const s = await startTestServer(t);
    for (const path of ['/metrics', '/docs', '/openapi.json', '/debug', '/.env']) {
      assert.equal((await raw(s, 'GET', path, { key: null })).status, 404, path);
    }
  });
});
