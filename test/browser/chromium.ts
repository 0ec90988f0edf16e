import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (package `chromium`). Playwright never downloads a browser here. */
export const CHROMIUM = ['/usr/bin/chromium'].find((p) => existsSync(p));

/** The skip reason without Chromium; under CI=true a missing browser is a failure, not a skip. */
export function skipWithoutChromium(path: string | undefined): string | false {
  if (path) return false;
  if (process.env.CI === 'true')
    throw new Error(
      'chromium is missing: under CI=true the browser tests must run (apt-get install chromium)',
    );
  return 'chromium is not installed at /usr/bin/chromium (apt-get install chromium)';
}

/** Headless, with everything that would phone home switched off; a fresh profile per launch. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM!,
    // inside the 120 s test timeout (Playwright's default is 180 s): a launch that finishes after
    // the test gave up would leave a browser that no cleanup knows about
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The little of the DOM the page callbacks use (the project's TypeScript has no DOM lib). */
export interface PageElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  getBoundingClientRect(): { width: number; height: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
export interface PageGlobals {
  document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
}

export interface Opened {
  page: Page;
  requests: string[];
  errors: string[];
}

/** Opens a file (or an http URL), recording every request and every console error or uncaught exception. */
export async function open(browser: Browser, target: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(/^https?:/.test(target) ? target : pathToFileURL(target).href, { waitUntil: 'load' });
  return { page, requests, errors };
}
