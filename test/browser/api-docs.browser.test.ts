// /docs in a real Chromium: Swagger UI renders every operation from /openapi.json, with every
// file from this server (no CDN) and nothing blocked by the page's Content-Security-Policy; it
// shows modelgate's name, and "Try it out" with the prefilled example answers.
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

  it('shows modelgate, not Fastify, and "Try it out" on predict answers 200 with the prefilled example', async (t) => {
    const s = await startTestServer(t, { demo: true });
    const browser = await launchChromium();
    t.after(() => browser.close());
    const { page, errors } = await open(browser, `${s.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 15_000 });

    assert.equal(await page.title(), 'modelgate API');
    const logo = page.locator('.topbar a.link img');
    await logo.waitFor({ timeout: 5000 });
    const src = (await logo.getAttribute('src')) ?? '';
    assert.match(src, /^data:image\/svg\+xml;base64,/);
    assert.match(Buffer.from(src.split(',')[1]!, 'base64').toString(), />modelgate<\/text>/);

    // authorize with an API key, as a user would
    await page.locator('.auth-wrapper button.authorize').click();
    const bearer = page.locator('.auth-container').first();
    await bearer.locator('input').fill(s.adminKey);
    await bearer.locator('button.authorize').click();
    await bearer.locator('button.btn-done').click();

    const op = page.locator('.opblock-post').filter({
      has: page.locator('.opblock-summary-path[data-path="/v1/models/{name}/predict"]'),
    });
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    assert.equal(await op.locator('tr[data-param-name="name"] input').inputValue(), 'breast-cancer');
    assert.match(await op.locator('textarea.body-param__text').inputValue(), /"mean_radius": 17\.99/);
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table tr.response .response-col_status');
    await status.waitFor({ timeout: 15_000 });
    assert.equal((await status.textContent())?.trim(), '200');
    assert.match(
      (await op.locator('.live-responses-table tr.response .microlight').first().textContent()) ?? '',
      /"prediction_id"/,
    );
    assert.deepEqual(errors, []);
  });
});
