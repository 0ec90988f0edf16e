import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../shared/clock.js';
import { createLogger } from '../../shared/logger.js';
import { emptyTally, recordRequest, type ArmTally } from './arm-tally.js';
import { FakeRolloutStore } from './fake-rollout-store.js';
import { LeaderLease } from './leader-lease.js';
import { RolloutCommands } from './rollout-commands.js';
import { RolloutController, type Committed } from './rollout-controller.js';
import { sampleRollout } from './rollout-store.contract.js';
import type { Rollout } from './types.js';

const T0 = Date.UTC(2026, 10, 23, 10);
const MIN = 60_000;
const logger = createLogger({ level: 'silent' });

/** Arms with n requests each; the candidate errs every `errorEvery`-th request. */
function arms(n: number, errorEvery = 0): { stable: ArmTally; candidate: ArmTally } {
  const stable = emptyTally();
  const candidate = emptyTally();
  for (let i = 0; i < n; i++) {
    recordRequest(stable, { serverError: i % 100 === 0, latencyMs: 4 }, () => i / n);
    recordRequest(
      candidate,
      { serverError: errorEvery > 0 && i % errorEvery === 0, latencyMs: 4 },
      () => i / n,
    );
  }
  return { stable, candidate };
}

function setup(rollout: Partial<Rollout>, windows = arms(0)) {
  const store = new FakeRolloutStore();
  const clock = new FakeClock(T0);
  const lease = new LeaderLease(store, 'r1', 15_000, clock);
  const committed: Committed[] = [];
  const promoted: string[] = [];
  const prepared: string[] = [];
  const controller = new RolloutController({
    store,
    lease,
    merged: () => Promise.resolve(windows),
    promote: (model, version) => Promise.resolve(void promoted.push(`${model}@${version}`)),
    prepare: (model, version) => Promise.resolve(void prepared.push(`${model}@${version}`)),
    clock,
    logger,
    replicaId: 'r1',
    committed: (c) => committed.push(c),
  });
  const r = sampleRollout(rollout);
  store.rollouts.set(r.id, r);
  return { store, clock, lease, controller, committed, promoted, prepared, r };
}

const canary = (weight: number, durationS = 120) => ({ type: 'canary' as const, weight, durationS });

describe('RolloutController', () => {
  it('does nothing unless it holds the lease', async () => {
    const { controller, store, r } = setup({
      plan: { steps: [{ type: 'smoke' }], intervalS: 60, noData: 'wait' },
    });
    await controller.reconcile();
    assert.equal(store.rollouts.get(r.id)!.revision, 0);
    assert.deepEqual(store.decisionRows, []);
  });

  it('passes the smoke step once: one write of state, decision and audit', async () => {
    const t = setup({ plan: { steps: [{ type: 'smoke' }, canary(50)], intervalS: 60, noData: 'wait' } });
    await t.lease.claim();
    await t.controller.reconcile();
    await t.controller.reconcile(); // the next tick finds step 1, with no look due
    const stored = t.store.rollouts.get(t.r.id)!;
    assert.deepEqual([stored.stepIndex, stored.revision, stored.stepStartedAt], [1, 1, T0]);
    assert.deepEqual(t.prepared, ['m@1.1.0']);
    assert.deepEqual(
      t.store.decisionRows.map((d) => [d.stepIndex, d.action, d.writer]),
      [[0, 'advanced', 'r1']],
    );
    assert.deepEqual(
      t.store.audit.map((a) => a.event.action),
      ['rollout.step_advanced'],
    );
    assert.deepEqual(
      t.committed.map((c) => c.event?.type),
      ['step_advanced'],
    );
  });

  // the outcome of the first look (at one interval) of a 2-interval canary step, by traffic
  const looks: Array<[string, ReturnType<typeof arms>, number, string, string]> = [
    ['too little traffic: continue', arms(10), 120, 'running', 'continue'],
    ['too little traffic at the end: wait', arms(10), 60, 'running', 'waiting for data'],
    ['+5 pp errors: roll back at once', arms(2000, 20), 60, 'rolled_back', 'rolled_back'],
    ['alike, step not over: continue', arms(2000), 120, 'running', 'continue'],
    ['alike, step over: advance', arms(2000), 60, 'running', 'advanced'],
  ];
  for (const [name, windows, durationS, state, action] of looks) {
    it(`look: ${name}`, async () => {
      const t = setup(
        { plan: { steps: [canary(25, durationS), canary(50)], intervalS: 60, noData: 'wait' }, maxLooks: 4 },
        windows,
      );
      t.clock.advance(MIN);
      await t.lease.claim();
      await t.controller.reconcile();
      await t.controller.reconcile(); // idempotent: the look is taken
      const stored = t.store.rollouts.get(t.r.id)!;
      assert.equal(stored.state, state);
      assert.deepEqual(
        t.store.decisionRows.map((d) => [d.look, d.action]),
        [[1, action]],
      );
      if (action === 'advanced') {
        assert.equal(stored.stepIndex, 1);
        assert.equal(
          (JSON.parse(stored.previousBaseline!) as { requests: number }).requests,
          2000,
          'the stable window is kept',
        );
      }
    });
  }

  it('promotes at the end of the last step: alias first, then one write', async () => {
    const t = setup({ plan: { steps: [canary(100, 60)], intervalS: 60, noData: 'wait' } }, arms(500));
    t.clock.advance(MIN);
    await t.lease.claim();
    await t.controller.reconcile();
    assert.deepEqual(t.promoted, ['m@1.1.0']);
    const stored = t.store.rollouts.get(t.r.id)!;
    assert.equal(stored.state, 'promoted');
    assert.deepEqual(
      t.store.audit.map((a) => a.event.action),
      ['rollout.promoted'],
    );
  });

  it('stops deciding when its write is fenced (another replica took over)', async () => {
    const t = setup({ plan: { steps: [{ type: 'smoke' }, canary(50)], intervalS: 60, noData: 'wait' } });
    await t.lease.claim();
    // the lease lapsed and r2 took it, while r1's view still says it leads
    t.store.leases.set('rollout-controller', {
      name: 'rollout-controller',
      holder: 'r2',
      token: 2,
      expiresAt: T0 + 15_000,
    });
    await t.controller.reconcile();
    assert.equal(t.lease.isLeader(), false);
    assert.equal(t.store.rollouts.get(t.r.id)!.stepIndex, 0);
    assert.deepEqual(t.store.decisionRows, []);
  });
});

describe('RolloutCommands', () => {
  function commands() {
    const store = new FakeRolloutStore();
    const clock = new FakeClock(T0);
    const cmds = new RolloutCommands({
      store,
      registry: {
        getModel: () => Promise.resolve({ name: 'm' } as never),
        getAliases: () => Promise.resolve({ production: '1.0.0' }),
        getVersion: () => Promise.resolve({} as never),
      },
      clock,
      replicaId: 'r2',
      committed: () => undefined,
    });
    return { store, clock, cmds };
  }

  it('pauses a rollout a controller just wrote: retries on the new revision', async () => {
    const { store, cmds } = commands();
    const r = await cmds.start({ model: 'm', candidate: '1.1.0', actor: { id: 'ops' } });
    // the controller writes between the command's read and its write once
    const write = store.write.bind(store);
    let raced = false;
    store.write = async (w) => {
      if (!raced) {
        raced = true;
        await write({ rollout: { ...w.rollout, state: 'running', looks: 1 }, expectedRevision: 0 });
      }
      return write(w);
    };
    const paused = await cmds.pause(r.id, { id: 'ops' });
    assert.equal(paused.state, 'paused');
    assert.equal(paused.revision, 2);
    assert.equal(store.rollouts.get(r.id)!.looks, 1, 'built on the controller’s write');
  });

  it('refuses what no longer applies, whichever replica asks', async () => {
    const { cmds } = commands();
    const r = await cmds.start({ model: 'm', candidate: '1.1.0', actor: { id: 'ops' } });
    await assert.rejects(cmds.resume(r.id, { id: 'ops' }), /is running, not paused/);
    await cmds.abort(r.id, { id: 'ops' });
    await assert.rejects(cmds.abort(r.id, { id: 'ops' }), /has ended \(aborted\)/);
    await assert.rejects(
      cmds.start({ model: 'm', candidate: '1.0.0', actor: { id: 'ops' } }),
      /already the production/,
    );
  });
});
