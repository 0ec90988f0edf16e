// A real server on a real port, under continuous load from concurrent clients, with the real
// controller loop: no client request fails while a rollout promotes, nor while one rolls back on
// its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEMO, startTestServer, type TestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';
import { EXAMPLE_BODY } from '../owasp/setup.js';

async function underLoad(s: TestServer, until: () => Promise<boolean>, workers = 8) {
  const counts = { ok: 0, failed: 0, stable: 0, candidate: 0, statuses: {} as Record<number, number> };
  let stop = false;
  const loop = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const res = await fetch(`${s.url}/v1/models/breast-cancer/predict`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${s.adminKey}`,
          'content-type': 'application/json',
          'x-routing-key': `w${w}-${i}`,
        },
        body: EXAMPLE_BODY,
      });
      await res.arrayBuffer();
      if (res.status === 200) counts.ok++;
      else {
        counts.failed++;
        counts.statuses[res.status] = (counts.statuses[res.status] ?? 0) + 1;
      }
      const v = res.headers.get('x-modelgate-variant');
      if (v === 'stable' || v === 'candidate') counts[v]++;
    }
  };
  const running = Array.from({ length: workers }, (_, w) => loop(w));
  const deadline = Date.now() + 60_000;
  while (!(await until()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300)); // and a little after the switch
  stop = true;
  await Promise.all(running);
  return counts;
}

describe('rollouts under load on a real port', () => {
  it('promotes with no failed client request', { timeout: 90_000 }, async (t) => {
    const s = await startTestServer(t, {
      env: { MODELGATE_ROLLOUT_TICK_MS: '200', MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0' },
    });
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    const rollouts = s.server.runtime.services.rollouts;
    const r = await rollouts.start({
      model: 'breast-cancer',
      candidate: '1.1.0',
      plan: {
        steps: [
          { type: 'smoke' },
          { type: 'canary', weight: 50, duration: 2 },
          { type: 'canary', weight: 100, duration: 1 },
        ],
        interval: 1,
      },
      actor: { id: 'test' },
    });
    const counts = await underLoad(s, async () => (await rollouts.get(r.id)).state !== 'running');
    const final = await rollouts.get(r.id);
    assert.equal(final.state, 'promoted', final.reason ?? '');
    assert.equal(counts.failed, 0, JSON.stringify(counts));
    assert.ok(counts.candidate > 100 && counts.stable > 100, JSON.stringify(counts));
    assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.1.0');
    t.diagnostic(
      `promotion under load: ${counts.ok} requests, ${counts.failed} failed (stable ${counts.stable}, candidate ${counts.candidate})`,
    );
  });

  it(
    'rolls a failing candidate back on its own with no failed client request',
    { timeout: 90_000 },
    async (t) => {
      const s = await startTestServer(t, {
        env: { MODELGATE_ROLLOUT_TICK_MS: '200', MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0' },
      });
      await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
      const bad = await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
      await s.admin.promote('breast-cancer', '1.0.0');
      // the candidate's stored bytes are corrupted: every attempt to serve it fails
      await tamperBlob(s, bad.version.artifact_sha256);
      const rollouts = s.server.runtime.services.rollouts;
      const r = await rollouts.start({
        model: 'breast-cancer',
        candidate: '1.1.0',
        plan: { steps: [{ type: 'canary', weight: 50, duration: 30 }], interval: 1 },
        actor: { id: 'test' },
      });
      const counts = await underLoad(s, async () => (await rollouts.get(r.id)).state !== 'running');
      const final = await rollouts.get(r.id);
      assert.equal(final.state, 'rolled_back');
      assert.match(final.reason!, /error_rate: candidate error rate 1 is over the ceiling/);
      assert.equal(counts.failed, 0, JSON.stringify(counts));
      assert.equal(counts.candidate, 0, 'every candidate failure was answered by stable');
      t.diagnostic(`automatic rollback under load: ${counts.ok} requests, ${counts.failed} failed`);
    },
  );
});
