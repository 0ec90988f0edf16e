// Helpers for the web console's browser tests: sign in as a user would, check accessibility with
// axe-core, save screenshots where CI keeps them, and send prediction traffic to the server.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { demoRows } from '../helpers/demo-data.js';
import { DEMO, REPO } from '../helpers/server.js';

/** Screenshots of every page, kept by CI as artifacts (MODELGATE_SCREENSHOT_DIR overrides). */
export const SHOTS = process.env.MODELGATE_SCREENSHOT_DIR ?? join(REPO, 'test-artifacts/console');

export async function shoot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the form; the page then shows the models. */
export async function signIn(page: Page, url: string, key: string, remember = false): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel('API key or bearer token (JWT)').fill(key);
  if (remember) await page.getByLabel(/Stay signed in/).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
}

/** Goes to a page of the console by its fragment, as a click on a link would (no reload). */
export async function go(page: Page, fragment: string, heading: string | RegExp): Promise<void> {
  await page.evaluate((f) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = f;
  }, fragment);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does
 * not govern) and fails on any serious or critical violation.
 */
export async function assertAccessible(page: Page, what: string): Promise<number> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } }
    ).axe;
    const doc = (globalThis as unknown as { document: unknown }).document;
    return (await axe.run(doc, { resultTypes: ['violations'] })).violations;
  });
  const bad = (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map(
      (v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    ),
    [],
    `axe-core on ${what}`,
  );
  return (violations as AxeViolation[]).length;
}

/** The page is no wider than the window (nothing to scroll sideways but the tables' own regions). */
export async function assertFitsWidth(page: Page, what: string): Promise<void> {
  const { scroll, client } = await page.evaluate(() => {
    const el = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return { scroll: el.scrollWidth, client: el.clientWidth };
  });
  assert.ok(scroll <= client + 1, `${what}: the page is ${scroll} px wide in a ${client} px window`);
}

/** Labelled rows of the demo's held-out data: instance and true label. */
export function labelledRows(): Array<{ instance: Record<string, number>; label: string }> {
  const [head, ...lines] = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => {
    const cells = l.split(',');
    return {
      instance: Object.fromEntries(
        cols.filter((c) => c !== 'target').map((c) => [c, Number(cells[cols.indexOf(c)])]),
      ),
      label: cells[cols.indexOf('target')]!,
    };
  });
}

/** Sends the rows of a demo CSV file (e.g. shifted.csv) to production, in batches. */
export async function predictRows(url: string, key: string, file: string, times = 1): Promise<number> {
  const rows = demoRows(file);
  let sent = 0;
  for (let i = 0; i < times; i++) {
    for (let j = 0; j < rows.length; j += 50) {
      const res = await fetch(`${url}/v1/models/breast-cancer/predict`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ instances: rows.slice(j, j + 50) }),
      });
      assert.equal(res.status, 200, await res.text());
      sent += Math.min(50, rows.length - j);
    }
  }
  return sent;
}

/**
 * Prediction traffic with ground-truth feedback, as an application would send it, from a few
 * concurrent callers until stopped (and never past `maxMs`).
 */
export function traffic(url: string, key: string, options: { workers?: number; maxMs?: number } = {}) {
  const rows = labelledRows();
  const deadline = Date.now() + (options.maxMs ?? 150_000);
  let stop = false;
  const counts = { sent: 0, failed: 0 };
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const worker = async (w: number) => {
    for (let i = 0; !stop && Date.now() < deadline; i++) {
      const row = rows[(w * 7919 + i) % rows.length]!;
      try {
        const res = await fetch(`${url}/v1/models/breast-cancer/predict`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ instances: [row.instance] }),
        });
        const body = (await res.json()) as { prediction_id?: string };
        if (!res.ok || !body.prediction_id) {
          counts.failed++;
          continue;
        }
        counts.sent++;
        await fetch(`${url}/v1/models/breast-cancer/feedback`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ feedback: [{ prediction_id: body.prediction_id, label: row.label }] }),
        });
      } catch {
        counts.failed++;
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.workers ?? 4 }, (_, w) => worker(w)));
  return {
    counts,
    async stop() {
      stop = true;
      await running;
    },
  };
}
