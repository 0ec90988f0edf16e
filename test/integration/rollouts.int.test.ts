import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RouteDecision } from '../../src/modules/rollouts/types.js';
import { FakeClock } from '../../src/shared/clock.js';
import { DEMO, raw, startTestServer, type TestServer } from '../helpers/server.js';
import { EXAMPLE_BODY } from '../owasp/setup.js';

const json = { 'content-type': 'application/json' };
const PREDICT = '/v1/models/breast-cancer/predict';
const MIN = 60_000;

async function demo(
  t: Parameters<typeof startTestServer>[0],
  clock: FakeClock,
  env: Record<string, string> = {},
) {
  const s = await startTestServer(t, { clock, env: { MODELGATE_ROLLOUT_TICK_MS: '600000', ...env } });
  await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
  await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
  await s.admin.promote('breast-cancer', '1.0.0');
  return s;
}

async function startRollout(s: TestServer, body: unknown) {
  const r = await raw(s, 'POST', '/v1/models/breast-cancer/rollouts', {
    body: JSON.stringify(body),
    headers: json,
  });
  assert.equal(r.status, 201, r.text);
  return r.json as unknown as { id: string; state: string };
}

async function traffic(s: TestServer, n: number): Promise<Record<string, number>> {
  const variants: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = await raw(s, 'POST', PREDICT, {
      body: EXAMPLE_BODY,
      headers: { ...json, 'x-routing-key': `user-${i}` },
    });
    assert.equal(r.status, 200, r.text);
    const v = r.headers.get('x-modelgate-variant') ?? 'none';
    variants[v] = (variants[v] ?? 0) + 1;
  }
  return variants;
}

const status = async (s: TestServer, id: string) =>
  (await raw(s, 'GET', `/v1/rollouts/${id}`)).json as unknown as {
    state: string;
    step_index: number;
    reason: string | null;
    decisions: Array<{
      verdict: string;
      action: string;
      checks: Array<{
        name: string;
        verdict: string;
        candidate: Record<string, number>;
        statistic?: { p: number; alpha: number };
      }>;
    }>;
  };

describe('rollouts with a fake clock, on a real server with real models', () => {
  it('promotes a good candidate step by step, recording every decision', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: {
        steps: [
          { type: 'smoke' },
          { type: 'canary', weight: 50, duration: '2m' },
          { type: 'canary', weight: 100, duration: '1m' },
        ],
        interval: '1m',
      },
    });
    const rollouts = s.server.runtime.services.rollouts;
    await rollouts.tick(); // smoke
    assert.equal((await status(s, r.id)).step_index, 1);

    const split = await traffic(s, 400);
    assert.ok(split.candidate! > 140 && split.stable! > 140, JSON.stringify(split));
    clock.advance(MIN);
    await rollouts.tick();
    assert.equal((await status(s, r.id)).decisions[0]!.action, 'continue');
    await traffic(s, 100);
    clock.advance(MIN);
    await rollouts.tick(); // end of the 50% step
    const mid = await status(s, r.id);
    assert.equal(mid.step_index, 2, mid.reason ?? '');
    assert.equal((await traffic(s, 150)).candidate, 150, 'at 100% every request goes to the candidate');
    clock.advance(MIN);
    await rollouts.tick();
    const end = await status(s, r.id);
    assert.equal(end.state, 'promoted', end.reason ?? '');
    const model = await s.admin.getModel('breast-cancer');
    assert.equal(model.aliases.production, '1.1.0');
    assert.equal(model.aliases.previous, '1.0.0');
    const passed = end.decisions.find((d) => d.action === 'advanced' && d.checks.length > 0)!;
    const err = passed.checks.find((c) => c.name === 'error_rate')!;
    assert.equal(err.verdict, 'pass');
    assert.ok(err.statistic!.alpha > 0 && err.statistic!.p > err.statistic!.alpha);
    const actions = (await s.admin.listAudit({ model: 'breast-cancer' })).events.map((e) => e.action);
    assert.ok(actions.includes('rollout.started') && actions.includes('rollout.promoted'), actions.join());
    assert.equal((await traffic(s, 3)).none, 3, 'no rollout: no variant header');
  });

  it('keeps assignment sticky and monotonic as the weight rises', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: {
        steps: [
          { type: 'canary', weight: 10, duration: '1m' },
          { type: 'canary', weight: 60, duration: '1m' },
        ],
        interval: '1m',
        no_data: 'wait',
      },
    });
    const rollouts = s.server.runtime.services.rollouts;
    const assign = () =>
      Array.from({ length: 300 }, (_, i) => rollouts.route('breast-cancer', `k${i}`)!.variant);
    const at10 = assign();
    assert.deepEqual(assign(), at10, 'the same key gets the same variant');
    const share10 = at10.filter((v) => v === 'candidate').length / 300;
    assert.ok(share10 > 0.04 && share10 < 0.18, String(share10));
    // feed enough synthetic traffic for the step to pass, then move to 60%
    const d = rollouts.route('breast-cancer', 'x')!;
    for (let i = 0; i < 300; i++) {
      rollouts.record({ ...d }, 'stable', { serverError: false, latencyMs: 2 });
      rollouts.record({ ...d }, 'candidate', { serverError: false, latencyMs: 2 });
    }
    clock.advance(MIN);
    await rollouts.tick();
    assert.equal((await status(s, r.id)).step_index, 1);
    const at60 = assign();
    at10.forEach(
      (v, i) => v === 'candidate' && assert.equal(at60[i], 'candidate', `key k${i} moved back to stable`),
    );
    assert.ok(at60.filter((v) => v === 'candidate').length > 150);
    // an admin can pin a variant; a predict key cannot
    const pinned = await raw(s, 'POST', PREDICT, {
      body: EXAMPLE_BODY,
      headers: { ...json, 'x-modelgate-variant-override': 'candidate' },
    });
    assert.equal(pinned.headers.get('x-modelgate-variant'), 'candidate');
    assert.equal(pinned.json.version, '1.1.0');
    const predictKey = (await s.admin.createKey('app', ['predict'])).key;
    const refused = await raw(s, 'POST', PREDICT, {
      key: predictKey,
      body: EXAMPLE_BODY,
      headers: { ...json, 'x-modelgate-variant-override': 'candidate' },
    });
    assert.equal(refused.status, 403);
  });

  const synthetic = async (
    t: Parameters<typeof startTestServer>[0],
    candidate: { errorEvery?: number; latencyMs?: number },
  ) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: { steps: [{ type: 'canary', weight: 25, duration: '5m' }], interval: '1m' },
    });
    const rollouts = s.server.runtime.services.rollouts;
    const d = rollouts.route('breast-cancer', 'k') as RouteDecision;
    for (let i = 0; i < 2000; i++) {
      rollouts.record(d, 'stable', { serverError: i % 100 === 0, latencyMs: 4 + (i % 10) / 10 });
      if (i < 700) {
        rollouts.record(d, 'candidate', {
          serverError:
            i % 100 === 0 || (candidate.errorEvery !== undefined && i % candidate.errorEvery === 0),
          latencyMs: (candidate.latencyMs ?? 4) + (i % 10) / 10,
        });
      }
    }
    clock.advance(MIN);
    await rollouts.tick();
    return { s, r, final: await status(s, r.id) };
  };

  it('rolls back a candidate with 5 percentage points more errors at the first look', async (t) => {
    const { s, final } = await synthetic(t, { errorEvery: 20 });
    assert.equal(final.state, 'rolled_back');
    assert.match(final.reason!, /error_rate: candidate errors exceed baseline's by more than 0.01/);
    const decision = final.decisions[0]!;
    assert.equal(decision.verdict, 'fail');
    assert.equal(decision.checks[0]!.candidate.requests, 700);
    assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.0.0');
    assert.equal((await traffic(s, 20)).none, 20, 'all traffic back on stable at once');
    const audit = (await s.admin.listAudit({ model: 'breast-cancer' })).events;
    assert.equal(audit[0]!.action, 'rollout.rolled_back');
  });

  it('rolls back a slower candidate', async (t) => {
    const { final } = await synthetic(t, { latencyMs: 8 });
    assert.equal(final.state, 'rolled_back');
    assert.match(final.reason!, /latency: candidate is slower/);
  });

  it('applies the no-data policy at the end of a step', async (t) => {
    for (const [policy, expected] of [
      ['wait', 'running'],
      ['pause', 'paused'],
      ['fail', 'rolled_back'],
    ] as const) {
      const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
      const s = await demo(t, clock);
      const r = await startRollout(s, {
        candidate: '1.1.0',
        plan: { steps: [{ type: 'canary', weight: 25, duration: '1m' }], interval: '1m', no_data: policy },
      });
      clock.advance(MIN);
      await s.server.runtime.services.rollouts.tick();
      const st = await status(s, r.id);
      assert.equal(st.state, expected, policy);
      assert.equal(st.decisions[0]!.verdict, 'inconclusive');
    }
  });

  it('waits at a pause step for approval, and resumes where it was after a restart', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: {
        steps: [{ type: 'smoke' }, { type: 'pause' }, { type: 'canary', weight: 100, duration: '1m' }],
        interval: '1m',
        no_data: 'fail',
      },
    });
    await s.server.runtime.services.rollouts.tick();
    await s.server.runtime.services.rollouts.tick();
    assert.equal((await status(s, r.id)).state, 'paused');
    // a new replica on the same database (a restarted process) routes by the same rollout
    const { RolloutRouter } = await import('../../src/modules/rollouts/rollout-router.js');
    const { SqlRolloutStore } = await import('../../src/modules/rollouts/sql-rollout-store.js');
    const { db } = s.server.runtime;
    const restarted = new RolloutRouter(new SqlRolloutStore(db.db, db.dialect));
    await restarted.load();
    assert.equal(restarted.active('breast-cancer')?.id, r.id);
    assert.equal(restarted.active('breast-cancer')?.stepIndex, 1);
    const approved = await raw(s, 'POST', `/v1/rollouts/${r.id}/approve`, { body: '{}', headers: json });
    assert.equal(approved.status, 200, approved.text);
    assert.equal((approved.json as unknown as { step_index: number }).step_index, 2);
    const again = await raw(s, 'POST', `/v1/rollouts/${r.id}/approve`, { body: '{}', headers: json });
    assert.equal(again.status, 409);
    assert.equal(again.json.code, 'ROLLOUT_CONFLICT');
  });

  it('refuses a second active rollout, unknown versions, and starts outside the deployment window', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 10)); // a Sunday
    const s = await demo(t, clock, { MODELGATE_ROLLOUT_WINDOWS: 'Mon-Fri 09:00-17:00' });
    const closed = await raw(s, 'POST', '/v1/models/breast-cancer/rollouts', {
      body: '{"candidate":"1.1.0"}',
      headers: json,
    });
    assert.equal(closed.status, 409);
    assert.equal(closed.json.code, 'ROLLOUT_NOT_ALLOWED');
    assert.match(closed.json.detail, /Mon-Fri 09:00-17:00/);
    clock.advance(24 * 3600_000); // Monday 10:00
    await startRollout(s, { candidate: '1.1.0' });
    const second = await raw(s, 'POST', '/v1/models/breast-cancer/rollouts', {
      body: '{"candidate":"1.1.0"}',
      headers: json,
    });
    assert.equal(second.json.code, 'ROLLOUT_CONFLICT');
    const bad = await raw(s, 'POST', '/v1/models/breast-cancer/rollouts', {
      body: '{"candidate":"1.1.0","plan":{"steps":[{"type":"canary","weight":150,"duration":"1m"}]}}',
      headers: json,
    });
    assert.equal(bad.status, 422);
    assert.match(bad.json.errors[0]!.pointer, /^\/plan\/steps\/0/);
  });

  it('`rollback` during a rollout aborts it: all traffic to stable', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: { steps: [{ type: 'canary', weight: 100, duration: '10m' }], interval: '1m' },
    });
    assert.equal((await traffic(s, 5)).candidate, 5);
    const rb = await s.admin.rollback('breast-cancer');
    assert.equal((rb as unknown as { rollout_aborted: string }).rollout_aborted, r.id);
    assert.equal((await traffic(s, 5)).none, 5);
    assert.equal((await status(s, r.id)).state, 'aborted');
  });
});

describe('shadow step on real models', () => {
  it('mirrors requests after answering, compares outputs, and rolls back a disagreeing candidate', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock);
    await s.admin.registerVersion(join(DEMO, '1.2.0/manifest.yaml'));
    const r = await startRollout(s, {
      candidate: '1.2.0',
      plan: { steps: [{ type: 'shadow', percent: 100, duration: '5m' }], interval: '1m' },
    });
    const { readFileSync } = await import('node:fs');
    const [head, ...lines] = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
    const cols = head!.split(',');
    for (const line of lines) {
      const cells = line.split(',');
      const instance = Object.fromEntries(
        cols.filter((c) => c !== 'target').map((c) => [c, Number(cells[cols.indexOf(c)])]),
      );
      const res = await raw(s, 'POST', PREDICT, {
        body: JSON.stringify({ instances: [instance] }),
        headers: json,
      });
      assert.equal(res.headers.get('x-modelgate-variant'), 'stable', 'stable answers every shadowed request');
      assert.equal(res.json.version, '1.0.0');
    }
    // the mirrored runs finish after the answers: wait for them (at most 4 run at once; a few are
    // shed while the candidate loads)
    type Live = { window: { candidate: { shadowCompared: number; shadowAgreed: number } } };
    let live: Live;
    const deadline = Date.now() + 10_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 20));
      live = (await raw(s, 'GET', `/v1/rollouts/${r.id}`)).json as unknown as Live;
    } while (
      live.window.candidate.shadowCompared + s.server.runtime.services.predict.shadowShed < lines.length &&
      Date.now() < deadline
    );
    assert.ok(live.window.candidate.shadowCompared >= 100, JSON.stringify(live.window));
    assert.ok(live.window.candidate.shadowAgreed / live.window.candidate.shadowCompared < 0.8);
    clock.advance(MIN);
    await s.server.runtime.services.rollouts.tick();
    const st = await status(s, r.id);
    assert.equal(st.state, 'rolled_back');
    assert.match(st.reason!, /shadow_agreement: candidate agrees with stable on 0\.\d+ of inputs/);
  });
});

describe('rollout notifications', () => {
  it('sends signed webhook events as a rollout starts and rolls back', async (t) => {
    const { createServer } = await import('node:http');
    const got: Array<{ event: string; sig: string | undefined }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({
          event: (JSON.parse(body) as { event: string }).event,
          sig: req.headers['x-modelgate-signature'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => receiver.close(resolve)));
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
    const s = await demo(t, clock, {
      MODELGATE_ROLLOUT_WEBHOOK_URLS: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
      MODELGATE_ROLLOUT_WEBHOOK_SECRET: 'a-long-enough-secret',
      MODELGATE_OUTBOUND_ALLOW_HTTP: 'true',
      MODELGATE_OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    const r = await startRollout(s, {
      candidate: '1.1.0',
      plan: { steps: [{ type: 'canary', weight: 25, duration: '1m' }], interval: '1m', no_data: 'fail' },
    });
    clock.advance(MIN);
    await s.server.runtime.services.rollouts.tick();
    assert.equal((await status(s, r.id)).state, 'rolled_back');
    const deadline = Date.now() + 5000;
    while (got.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    // delivered concurrently: either may arrive first
    assert.deepEqual(got.map((g) => g.event).sort(), ['rollout.rolled_back', 'rollout.started']);
    assert.ok(got.every((g) => /^sha256=[0-9a-f]{64}$/.test(g.sig ?? '')));
    const metrics = (await raw(s, 'GET', '/metrics')).text;
    assert.match(metrics, /modelgate_rollouts_ended_total\{model="breast-cancer",state="rolled_back"\} 1/);
    assert.match(
      metrics,
      /modelgate_rollout_decisions_total\{model="breast-cancer",verdict="inconclusive",action="rolled_back"\} 1/,
    );
  });
});
