// The web console as the server serves it: GET /console and its built files (dist/console, built
// by `npm run build`), under the console's own Content-Security-Policy.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { CONSOLE_CSP, CONSOLE_DIR, readConsoleAssets } from '../../src/http/routes/console.js';
import { raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

const built = existsSync(join(CONSOLE_DIR, 'index.html'));
const notBuilt = built ? false : 'the console is not built: run `npm run build` first';
if (!built && process.env.CI === 'true')
  throw new Error('dist/console is missing: CI runs `npm run build` before the tests');

describe('GET /console: the web console', { skip: notBuilt }, () => {
  const scope = new SuiteScope();
  let s: TestServer;
  before(async () => {
    s = await startTestServer(scope);
  });
  after(() => scope.run());

  it('serves the page under a CSP with no inline script or style, and every file it loads', async () => {
    for (const path of ['/console', '/console/', '/console/index.html']) {
      const page = await raw(s, 'GET', path, { key: null });
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type')!, /^text\/html/);
      assert.equal(page.headers.get('content-security-policy'), CONSOLE_CSP);
      assert.equal(page.headers.get('cache-control'), 'no-cache');
    }
    assert.doesNotMatch(CONSOLE_CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
    assert.match(CONSOLE_CSP, /script-src 'self'/);
    assert.match(CONSOLE_CSP, /require-trusted-types-for 'script'/);
    const page = await raw(s, 'GET', '/console', { key: null });
    // no inline script: every <script> has a src on this server
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/);
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(
      refs.some((r) => /\/console\/assets\/index-[\w-]+\.js$/.test(r)),
      refs.join(' '),
    );
    assert.ok(
      refs.some((r) => /\/console\/assets\/index-[\w-]+\.css$/.test(r)),
      refs.join(' '),
    );
    for (const ref of refs) {
      assert.match(ref, /^\/console\//, ref);
      const asset = await raw(s, 'GET', ref, { key: null });
      assert.equal(asset.status, 200, ref);
      if (ref.includes('/assets/')) {
        assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable', ref);
        assert.match(
          asset.headers.get('content-type')!,
          ref.endsWith('.js') ? /^text\/javascript/ : /^text\/css/,
        );
      }
    }
  });

  it('compresses text for clients that accept gzip and answers 304 to a matching ETag', async () => {
    const page = await raw(s, 'GET', '/console', { key: null });
    const js = /src="([^"]+\.js)"/.exec(page.text)![1]!;
    const res = await fetch(s.url + js, { headers: { 'accept-encoding': 'gzip' } });
    const plain = await raw(s, 'GET', js, { key: null });
    // fetch decompresses on its own: the header says what was sent
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('vary'), 'accept-encoding');
    assert.equal((await res.text()).length, plain.text.length);
    const etag = plain.headers.get('etag')!;
    const again = await fetch(s.url + js, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const assets = readConsoleAssets(CONSOLE_DIR)!;
    const entry = assets.get(js.replace('/console/', ''))!;
    assert.equal(gunzipSync(entry.gzip!).toString(), plain.text);
  });

  it('answers only its own files: anything else is a 404 problem', async () => {
    for (const path of [
      '/console/nope.js',
      '/console/assets/',
      '/console/../package.json',
      '/console/%2e%2e/%2e%2e/package.json',
      '/console/assets/..%2f..%2findex.html',
    ]) {
      const r = await raw(s, 'GET', path, { key: null });
      assert.equal(r.status, 404, path);
      assert.equal(r.json.code, 'NOT_FOUND', path);
    }
  });

  it('is off with MODELGATE_CONSOLE=false', async (t) => {
    const off = await startTestServer(t, { env: { MODELGATE_CONSOLE: 'false' } });
    assert.equal((await raw(off, 'GET', '/console', { key: null })).status, 404);
    assert.equal((await raw(off, 'GET', '/console/index.html', { key: null })).status, 404);
    assert.ok(!off.server.app.routeInventory.some((r) => r.url.startsWith('/console')));
  });

  it('reads nothing when the console is not built', () => {
    assert.equal(readConsoleAssets(join(CONSOLE_DIR, 'no-such-folder')), undefined);
  });
});
