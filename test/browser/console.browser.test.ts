// The web console in a real Chromium (Debian's, driven by playwright-core): sign in, the models,
// promote with a confirmation, a version with its drift charts, the audit log, API keys, what a
// read-only key sees, user-supplied strings as text, a narrow window; axe-core on every page and a
// screenshot of each (test-artifacts/console/).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { DEMO, raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';
import { CHROMIUM, launchChromium, skipWithoutChromium } from './chromium.js';
import { assertAccessible, assertFitsWidth, go, predictRows, shoot, signIn } from './console-helpers.js';

const XSS = '<img src=x onerror=alert(1)>';

describe('web console', { skip: skipWithoutChromium(CHROMIUM) }, () => {
  const scope = new SuiteScope();
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  /** what the page did that it should not have: console errors, uncaught exceptions, dialogs */
  const errors: string[] = [];
  const dialogs: string[] = [];
  const requests: Request[] = [];

  before(async () => {
    s = await startTestServer(scope, {
      demo: true,
      env: { MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0' },
    });
    browser = await launchChromium();
    scope.after(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => requests.push(r));
  });
  after(() => scope.run());

  it('serves a sign-in page under its CSP, and signs in with an API key kept in memory only', async () => {
    const res = await page.goto(`${s.url}/console`);
    assert.equal(res!.status(), 200);
    assert.doesNotMatch(res!.headers()['content-security-policy']!, /unsafe-inline/);
    await page.getByRole('heading', { level: 1, name: 'Sign in to the modelgate console' }).waitFor();
    await assertAccessible(page, 'the sign-in page');
    await shoot(page, '01-sign-in');

    // a wrong key: the API's problem details, and no sign-in
    await page.getByLabel('API key or bearer token (JWT)').fill('mg_AAAAAAAA_not-a-valid-secret-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = page.getByRole('alert');
    await refused.waitFor();
    assert.match(await refused.innerText(), /UNAUTHENTICATED/);
    errors.length = 0; // the browser logs the 401 it was sent

    const before = requests.length;
    await signIn(page, s.url, s.adminKey);
    const me = await s.admin.whoami();
    assert.match(await page.locator('header').innerText(), new RegExp(`bootstrap-admin \\(${me.id}\\)`));
    // the credential is in no URL, no cookie and no storage (memory only, as not asked otherwise)
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { cookie: string };
        sessionStorage: { length: number };
        localStorage: { length: number };
      };
      return { cookie: g.document.cookie, session: g.sessionStorage.length, local: g.localStorage.length };
    });
    assert.deepEqual(stored, { cookie: '', session: 0, local: 0 });
    for (const r of requests) assert.ok(!r.url().includes(s.adminKey.slice(3)), `the key is in ${r.url()}`);
    const api = requests.slice(before).filter((r) => r.url().includes('/v1/'));
    assert.ok(api.length >= 2);
    for (const r of api) assert.equal(r.headers().authorization, `Bearer ${s.adminKey}`, r.url());
  });

  it('shows the demo model: aliases, serving state, loaded versions with hashes, traffic', async () => {
    await predictRows(s.url, s.adminKey, 'test.csv');
    const row = page.locator('tr[data-model="breast-cancer"]');
    await row.waitFor();
    assert.equal(await row.locator('[data-alias="production"]').innerText(), '1.0.0');
    const version = await s.admin.getVersion('breast-cancer', '1.0.0');
    assert.match(await row.innerText(), /ready/);
    assert.equal(
      await row.locator('code.hash').first().textContent(),
      version.artifact_sha256,
      'the full hash is in the page (12 digits shown)',
    );
    // traffic from /stats: 143 requests over the 300 s window (the page polls every 5 s)
    await page.waitForFunction(() =>
      /[1-9]/.test(
        (
          globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }
        ).document.querySelector('tr[data-model="breast-cancer"] td.num')?.textContent ?? '',
      ),
    );
    assert.match(await row.locator('td.num').nth(1).innerText(), /^0\.00%$/);
    await assertAccessible(page, 'the models page');
    await shoot(page, '02-models');
  });

  it('promotes 1.1.0 after a confirmation naming the change, with an Idempotency-Key, audited', async () => {
    await page.getByRole('link', { name: 'breast-cancer' }).click();
    await page.getByRole('heading', { level: 1, name: 'breast-cancer' }).waitFor();
    await assertAccessible(page, 'the model page');
    await shoot(page, '03-model');

    const sent: Request[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') sent.push(r);
    });
    await page.getByRole('button', { name: 'Promote 1.1.0' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote breast-cancer 1.1.0?' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Production of breast-cancer moves from 1\.0\.0 to 1\.1\.0/);
    await assertAccessible(page, 'the confirmation dialog');
    await shoot(page, '04-confirm-promote');
    // Cancel changes nothing
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.0.0');
    assert.equal(sent.length, 0);

    await page.getByRole('button', { name: 'Promote 1.1.0' }).click();
    await dialog.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'breast-cancer 1.1.0 is production.' }).waitFor();
    await page.getByTestId('production').filter({ hasText: '1.1.0' }).waitFor();
    assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.1.0');

    const promote = sent.find((r) => r.url().endsWith('/v1/models/breast-cancer/promote'))!;
    assert.match(
      promote.headers()['idempotency-key']!,
      /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/,
    );
    assert.deepEqual(promote.postDataJSON(), { version: '1.1.0' });
    // audited as the same call from the CLI: the principal, before and after
    const me = await s.admin.whoami();
    const { events } = await s.admin.listAudit({ model: 'breast-cancer', limit: 1 });
    assert.equal(events[0]!.action, 'model.promoted');
    assert.equal(events[0]!.principal, me.id);
    assert.equal((events[0]!.after as { production: string }).production, '1.1.0');
  });

  it("shows the API's problem details when an action is refused", async () => {
    // 1.0.0 is the previous version now; promoting the production version again is refused? no:
    // it is a no-op. A refusal: start a rollout with an invalid plan
    await page.getByRole('button', { name: 'Start a rollout…' }).click();
    await page.getByLabel('Plan template').selectOption('quick');
    await page
      .getByLabel(/^Plan \(JSON/)
      .fill('{"steps": [{"type": "canary", "weight": 250, "duration": 4}]}');
    await page.getByRole('button', { name: 'Start rollout…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start rollout' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'VALIDATION_FAILED' });
    await problem.waitFor();
    assert.match(await problem.innerText(), /The request failed validation \(422\)/);
    assert.match(await problem.innerText(), /\/plan\/steps\/0/);
    assert.match(await problem.innerText(), /request id [\w-]+/);
    errors.length = 0; // the browser logs the 422 it was sent
    await assertAccessible(page, 'a refused action');
    await shoot(page, '05-problem-details');
    await page.getByRole('button', { name: 'Start a rollout…' }).click();
  });

  it('shows a version: manifest, signature, evaluations, card, readiness, smoke tests and drift charts', async () => {
    // drifted traffic on production (1.1.0): the shifted rows, enough for a verdict (200 rows)
    await predictRows(s.url, s.adminKey, 'shifted.csv', 2);
    await s.admin.evaluate('breast-cancer', '1.1.0', join(DEMO, 'test.csv'), 'target');
    await go(page, '#/models/breast-cancer/versions/1.1.0', 'breast-cancer 1.1.0');
    const v = await s.admin.getVersion('breast-cancer', '1.1.0');
    const text = () => page.locator('main').innerText();
    await page.locator('li.drift-card').first().waitFor();
    await page.getByRole('region', { name: 'Evaluations' }).waitFor();
    const body = await text();
    assert.ok(body.includes(v.artifact_sha256), 'artifact hash');
    assert.ok(body.includes(v.manifest_sha256), 'manifest hash');
    assert.match(body, /Input layout/);
    assert.match(body, /mean_radius/);
    assert.match(body, /test-row-1/, 'smoke tests');
    assert.match(body, /roc_auc 0\.\d+/, 'evaluation metrics');
    assert.match(body, /Never use for diagnosis/, 'model card: ethical considerations');
    assert.match(body, /Loaded\s+loaded/);

    const drift = await s.admin.drift('breast-cancer', '1.1.0');
    const drifted = drift.columns.filter((c) => c.verdict === 'drift');
    assert.ok(drifted.length > 0 && drifted.length < drift.columns.length, 'some features drifted');
    const cards = page.locator('li.drift-card');
    assert.equal(await cards.count(), drift.columns.length);
    assert.equal(
      await cards.locator('svg rect.ref').count(),
      drift.columns.reduce((n, c) => n + c.bins.length, 0),
    );
    // sorted by PSI, highest first
    const order = await cards.evaluateAll((els) =>
      els.map((e) => (e as unknown as { dataset: { feature: string } }).dataset.feature),
    );
    const byPsi = [...drift.columns].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1)).map((c) => c.feature);
    assert.equal(order[0], byPsi[0]);
    await page.getByLabel('Sort').selectOption('manifest');
    const manifestOrder = await cards.evaluateAll((els) =>
      els.map((e) => (e as unknown as { dataset: { feature: string } }).dataset.feature),
    );
    assert.deepEqual(
      manifestOrder,
      drift.columns.map((c) => c.feature),
    );
    await page.getByLabel('Drifted only').check();
    await page.getByText(`${drifted.length} of ${drift.columns.length} shown`).waitFor();
    assert.equal(await cards.count(), drifted.length);
    await page.getByLabel('Sort').selectOption('psi');
    await assertAccessible(page, 'the version page');
    await shoot(page, '06-version-drift');
    await page.getByLabel('Drifted only').uncheck();
  });

  it('creates an API key shown once, revokes one, and reads the audit log in pages', async () => {
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill(XSS);
    await page.getByLabel('read').check(); // already checked; stays so
    await page.getByRole('button', { name: 'Create key…' }).click();
    const dialog = page.getByRole('dialog');
    assert.ok((await dialog.innerText()).includes(`A new key named ${XSS} with the scopes read`));
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const secret = page.getByLabel(/^Key [A-Za-z0-9]+$/);
    await secret.waitFor();
    const key = await secret.inputValue();
    assert.match(key, /^mg_/);
    assert.deepEqual((await s.client(key).whoami()).effective_scopes, ['read']);
    const keys = await s.admin.listKeys();
    const created = keys.find((k) => k.name === XSS)!;
    const row = page.locator(`tr[data-key="${created.id}"]`);
    assert.equal(await row.locator('td.text').innerText(), XSS, 'the name is text');
    await assertAccessible(page, 'the keys page');
    await shoot(page, '07-keys');
    await page.getByRole('button', { name: 'I have copied it; hide the key' }).click();
    assert.equal(await page.getByLabel(/^Key [A-Za-z0-9]+$/).count(), 0, 'the key is shown once');

    const victim = await s.admin.createKey('old-service', ['predict']);
    await page.reload(); // memory only: a reload signs out
    await signIn(page, s.url, s.adminKey, true);
    await go(page, '#/keys', 'API keys');
    await page.getByRole('button', { name: 'Revoke old-service' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Key ${victim.id} revoked.` })
      .waitFor();
    assert.equal((await raw(s, 'GET', '/v1/whoami', { key: victim.key })).status, 401);
    const revoke = requests.find(
      (r) => r.method() === 'DELETE' && r.url().endsWith(`/v1/keys/${victim.id}`),
    )!;
    assert.match(revoke.headers()['idempotency-key']!, /^"[0-9a-f-]{36}"$/);

    // sessionStorage (asked for): a reload keeps the session; signing out forgets it
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();

    // the first page is still loading when the filters are applied: its late answer must not
    // replace the filtered page (it used to stay on screen for good, and a CI run met that)
    const audit = /\/v1\/audit\?/;
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let firstRequest: Request | undefined;
    await page.route(audit, async (route) => {
      if (!firstRequest) {
        firstRequest = route.request();
        await firstHeld;
      }
      await route.continue();
    });
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByLabel('Per page').selectOption('5');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText(/^Page 1: 5 events, newest first$/).waitFor();
    assert.ok(firstRequest, 'the first load was held');
    const lateAnswer = page.waitForResponse((r) => r.request() === firstRequest);
    releaseFirst();
    await lateAnswer;
    await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
    assert.equal(
      await page.locator('caption').innerText(),
      'Page 1: 5 events, newest first',
      'the late first page did not land',
    );
    await page.unroute(audit);
    const first = await page.locator('tbody tr').first().getAttribute('data-action');
    assert.equal(first, 'api_key.revoked');
    const total = (await s.admin.listAudit({ limit: 500 })).events.length;
    assert.ok(total > 5, String(total));
    await page.getByRole('button', { name: 'Older' }).click();
    await page.getByText(new RegExp(`^Page 2: ${Math.min(5, total - 5)} events`)).waitFor();
    await page.getByRole('button', { name: 'Newer' }).click();
    await page.getByText(/^Page 1: 5 events/).waitFor();
    await page.getByLabel('Model').fill('breast-cancer');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('tbody tr[data-action="model.promoted"]').first().waitFor();
    const actions = await page
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => (r as unknown as { dataset: { action: string } }).dataset.action),
      );
    assert.ok(!actions.some((a) => a.startsWith('api_key.')), actions.join(' '));
    await assertAccessible(page, 'the audit log');
    await shoot(page, '08-audit');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to the modelgate console' }).waitFor();
    assert.equal(
      await page.evaluate(
        () => (globalThis as unknown as { sessionStorage: { length: number } }).sessionStorage.length,
      ),
      0,
    );
  });

  it('gives a read-only key no admin buttons, and the API refuses it anyway', async () => {
    const reader = await s.admin.createKey('dashboard', ['read']);
    await signIn(page, s.url, reader.key);
    assert.equal(await page.getByTestId('scopes').innerText(), 'read');
    const nav = await page.getByRole('navigation', { name: 'Console' }).innerText();
    assert.doesNotMatch(nav, /Audit log|API keys/);
    await go(page, '#/models/breast-cancer', 'breast-cancer');
    await page.locator('tr[data-version="1.0.0"]').waitFor();
    assert.equal(await page.getByRole('button').filter({ hasNotText: 'Sign out' }).count(), 0);
    await assertAccessible(page, 'the model page, read-only');
    await shoot(page, '09-read-only-model');
    const { rollouts } = (await raw(s, 'GET', '/v1/models/breast-cancer/rollouts')).json as unknown as {
      rollouts: Array<{ id: string }>;
    };
    // the pages that would offer actions offer none
    await go(page, '#/keys', 'API keys');
    assert.match(await page.locator('main').innerText(), /needs a credential with the admin scope/);
    // a hand-made call with the same key is refused by the API
    const status = await page.evaluate(async (key) => {
      const res = await fetch('/v1/models/breast-cancer/promote', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: '1.0.0' }),
      });
      return res.status;
    }, reader.key);
    assert.equal(status, 403);
    assert.equal(rollouts.length, 0);
    errors.length = 0; // the 403 above
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('renders every user-supplied string as text', async () => {
    // a model name cannot carry markup (the API allows [a-z0-9-]); a manifest's text fields can
    const dir = mkdtempSync(join(tmpdir(), 'mg-xss-'));
    const manifest = parseYaml(readFileSync(join(DEMO, '1.0.0/manifest.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const features = manifest.features as Array<Record<string, unknown>>;
    features[0]!.description = XSS;
    Object.assign(manifest, {
      name: 'xss-check',
      description: XSS,
      changelog: `${XSS} changelog`,
      intended_use: XSS,
      limitations: `<script>alert(2)</script>`,
    });
    writeFileSync(join(dir, 'manifest.yaml'), toYaml(manifest));
    for (const f of ['model.onnx', 'reference.csv']) copyFileSync(join(DEMO, '1.0.0', f), join(dir, f));
    await s.admin.registerVersion(join(dir, 'manifest.yaml'));
    const refused = await raw(s, 'POST', '/v1/models/%3Cimg%20src%3Dx%3E/promote', {
      body: '{"version":"1.0.0"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(refused.status, 422, 'no such model name can exist');

    await signIn(page, s.url, s.adminKey);
    await go(page, '#/models/xss-check/versions/1.0.0', 'xss-check 1.0.0');
    await page.getByText(`${XSS} changelog`, { exact: true }).waitFor();
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(XSS));
    assert.ok(main.includes('<script>alert(2)</script>'));
    await go(page, '#/models/xss-check', 'xss-check');
    await page.getByText(`${XSS} changelog`, { exact: true }).waitFor();
    // a name in the address is text too (the API answers 422 for it)
    await go(page, `#/models/${encodeURIComponent(XSS)}`, XSS);
    await page
      .getByRole('alert')
      .filter({ hasText: `Model ${XSS}: The request failed validation` })
      .waitFor();
    await page.getByRole('alert').filter({ hasText: 'Rollouts: The request failed validation' }).waitFor();
    const injected = await page.evaluate(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll('main img, main script').length,
    );
    assert.equal(injected, 0);
    assert.deepEqual(dialogs, [], 'no script ran');
    await shoot(page, '10-xss-as-text');
    await go(page, '#/models', 'Models'); // stop polling a model that cannot exist
    errors.length = 0; // the 422s the API answered
  });

  it('works in a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [fragment, heading, name] of [
      ['#/models', 'Models', '11-narrow-models'],
      ['#/models/breast-cancer', 'breast-cancer', '12-narrow-model'],
      ['#/models/breast-cancer/versions/1.1.0', 'breast-cancer 1.1.0', '13-narrow-version'],
      ['#/rollouts', 'Rollouts', '14-narrow-rollouts'],
    ] as const) {
      await go(page, fragment, heading);
      await page.waitForLoadState('networkidle');
      await assertFitsWidth(page, fragment);
      await assertAccessible(page, `${fragment} at 390 px`);
      await shoot(page, name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(errors, []);
    assert.deepEqual(dialogs, []);
    for (const r of requests) assert.ok(r.url().startsWith(s.url), `fetched from elsewhere: ${r.url()}`);
  });
});
