// /docs in a real Chromium: Swagger UI renders every operation from /openapi.json, with every
// file from this server (no CDN) and nothing blocked by the page's Content-Security-Policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { CHROMIUM, launchChromium, open, skipWithoutChromium } from './chromium.js';

describe('interactive API documentation', { skip: skipWithoutChromium(CHROMIUM) }, () => {
  it('renders every documented operation from files served here', async (t) => {
    const s = await startTestServer(t);
    const browser = await launchChromium();
    t.after(() => browser.close());
    const { page, requests, errors } = await open(browser, `${s.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });

    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, p) => n + Object.keys(p).length, 0);
    assert.equal(await page.locator('.opblock').count(), operations);
    assert.ok(operations > 40, String(operations));
    assert.ok(await page.getByText('/v2/models/{name}/infer', { exact: true }).first().isVisible());
    assert.ok(requests.length > 3);
    for (const url of requests) assert.ok(url.startsWith(s.url), `fetched from elsewhere: ${url}`);
    assert.deepEqual(errors, []);
  });
});
