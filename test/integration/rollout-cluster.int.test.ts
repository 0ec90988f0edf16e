// Two runtimes in one process on one database (SQLite file, PostgreSQL schema), each with its own
// clock: what two replicas do, without processes. A rollout started through A with traffic only on
// B is judged on B's windows and decided once; the lease passes on when its holder stops renewing;
// a leader that lost the lease without noticing has its write refused.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { registerFromManifestFile } from '../../src/modules/registry/register-from-files.js';
import type { RouteDecision } from '../../src/modules/rollouts/types.js';
import { FakeClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { describeEachDatabase, testDatabase, type TestDialect } from '../helpers/databases.js';
import { DEMO } from '../helpers/server.js';

const T0 = Date.UTC(2026, 10, 23, 10);
const MIN = 60_000;
const LEASE = 15_000;

async function replicas(t: TestContext, dialect: TestDialect) {
  const db = await testDatabase(dialect, t);
  const start = async (id: string, clock: FakeClock): Promise<Runtime> => {
    const config = loadConfig({
      env: {
        MODELGATE_HOME: db.home,
        MODELGATE_REPLICA_ID: id,
        MODELGATE_LEADER_LEASE_MS: String(LEASE),
        MODELGATE_LOG_LEVEL: 'silent',
        ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
      },
    });
    const runtime = await createRuntime(config, {
      clock,
      rolloutLoops: false,
      logger: createLogger({ level: 'silent' }),
      ...(db.pgSchema ? { pgSchema: db.pgSchema } : {}),
    });
    t.after(() => runtime.close());
    return runtime;
  };
  const clockA = new FakeClock(T0);
  const clockB = new FakeClock(T0);
  const a = await start('replica-a', clockA);
  const b = await start('replica-b', clockB);
  const actor = { id: 'test' };
  for (const v of ['1.0.0', '1.1.0']) {
    const s = a.services;
    await registerFromManifestFile(s.registry, join(DEMO, v, 'manifest.yaml'), actor, s.stagingDir, 1e9);
  }
  await a.services.registry.promote('breast-cancer', '1.0.0', actor);
  return { a, b, clockA, clockB, advance: (ms: number) => (clockA.advance(ms), clockB.advance(ms)) };
}

/** Synthetic answered requests on one replica: 1% stable errors, candidate errors as given. */
function traffic(r: Runtime, d: RouteDecision, candidateErrorEvery?: number): void {
  const rollouts = r.services.rollouts;
  for (let i = 0; i < 2000; i++) {
    rollouts.record(d, 'stable', { serverError: i % 100 === 0, latencyMs: 4 + (i % 10) / 10 });
    if (i < 700)
      rollouts.record(d, 'candidate', {
        serverError: i % 100 === 0 || (candidateErrorEvery !== undefined && i % candidateErrorEvery === 0),
        latencyMs: 4 + (i % 10) / 10,
      });
  }
}

const plan = { steps: [{ type: 'canary', weight: 25, duration: '1m' }], interval: '1m' };

describeEachDatabase('two replicas on one database', (dialect) => {
  for (const [name, errorEvery, state, production] of [
    ['rolls back a worse candidate', 20, 'rolled_back', '1.0.0'],
    ['promotes a good candidate', undefined, 'promoted', '1.1.0'],
  ] as const) {
    it(`${name} started through A with traffic only on B, deciding once`, async (t) => {
      const { a, b, advance } = await replicas(t, dialect);
      await a.services.rollouts.tick(); // A leads
      const started = await a.services.rollouts.start({
        model: 'breast-cancer',
        candidate: '1.1.0',
        plan,
        actor: { id: 'test' },
      });
      // B routes by the persisted rollout once it refreshes: the same key, the same arm as on A
      assert.equal(b.services.rollouts.route('breast-cancer', 'k'), undefined, 'before the refresh');
      await b.services.rollouts.tick();
      assert.equal(b.services.rollouts.lease.isLeader(), false);
      const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
      assert.deepEqual(
        keys.map((k) => b.services.rollouts.route('breast-cancer', k)!.variant),
        keys.map((k) => a.services.rollouts.route('breast-cancer', k)!.variant),
      );
      traffic(b, b.services.rollouts.route('breast-cancer', 'k')!, errorEvery);
      advance(MIN);
      await b.services.rollouts.publish();
      await a.services.rollouts.tick(); // A's lease lapsed with the minute; A renews it first
      await b.services.rollouts.tick();
      const final = await a.services.rollouts.get(started.id);
      assert.equal(final.state, state, final.reason ?? '');
      const decisions = await b.services.rollouts.decisions(started.id);
      assert.equal(decisions.length, 1, JSON.stringify(decisions.map((d) => [d.writer, d.action])));
      assert.equal(decisions[0]!.writer, 'replica-a');
      const errors = decisions[0]!.checks.find((c) => c.name === 'error_rate')!;
      assert.equal(errors.candidate.requests, 700, 'B published every candidate request');
      assert.equal(errors.baseline.requests, 2000);
      assert.equal((await b.services.registry.getAliases('breast-cancer')).production, production);
      assert.equal(b.services.rollouts.route('breast-cancer', 'k'), undefined, 'B stopped routing');
    });
  }

  it('aborts through B a rollout started through A', async (t) => {
    const { a, b } = await replicas(t, dialect);
    const started = await a.services.rollouts.start({
      model: 'breast-cancer',
      candidate: '1.1.0',
      plan,
      actor: { id: 'test' },
    });
    const aborted = await b.services.rollouts.abort(started.id, { id: 'ops' });
    assert.equal(aborted.state, 'aborted');
    await a.services.rollouts.refresh();
    assert.equal(a.services.rollouts.route('breast-cancer', 'k'), undefined);
  });

  it('passes the lease on when its holder stops renewing, and the new leader continues', async (t) => {
    const { a, b, advance } = await replicas(t, dialect);
    await a.services.rollouts.tick();
    assert.equal(a.services.rollouts.lease.isLeader(), true);
    const started = await b.services.rollouts.start({
      model: 'breast-cancer',
      candidate: '1.1.0',
      plan: { ...plan, no_data: 'pause' },
      actor: { id: 'test' },
    });
    // A stops (no more ticks); within the lease B must not decide
    advance(LEASE - 1);
    await b.services.rollouts.tick();
    assert.equal(b.services.rollouts.lease.isLeader(), false);
    advance(2);
    await b.services.rollouts.tick();
    assert.equal(b.services.rollouts.lease.isLeader(), true);
    advance(MIN);
    await b.services.rollouts.tick();
    const final = await b.services.rollouts.get(started.id);
    assert.equal(final.state, 'paused', 'B applied the no-data policy');
    const decisions = await b.services.rollouts.decisions(started.id);
    assert.deepEqual(
      decisions.map((d) => [d.writer, d.action]),
      [['replica-b', 'paused']],
    );
  });

  it("refuses a stale leader's write: A, paused past its lease, cannot decide after B took over", async (t) => {
    const { a, b, clockB } = await replicas(t, dialect);
    await a.services.rollouts.tick(); // A leads on its clock (T0), until T0 + LEASE
    const started = await a.services.rollouts.start({
      model: 'breast-cancer',
      candidate: '1.1.0',
      plan: { steps: [{ type: 'smoke' }, ...plan.steps], interval: '1m' },
      actor: { id: 'test' },
    });
    clockB.advance(LEASE + 1); // A is frozen; on B's clock its lease lapsed
    await b.services.rollouts.lease.claim();
    assert.equal(b.services.rollouts.lease.isLeader(), true);
    // A wakes up believing it leads (its clock says the lease holds) and runs the smoke step
    assert.equal(a.services.rollouts.lease.isLeader(), true);
    await a.services.rollouts.controller.reconcile();
    assert.equal(a.services.rollouts.lease.isLeader(), false, 'the refused write told A');
    const r = await a.services.rollouts.get(started.id);
    assert.equal(r.stepIndex, 0, 'the smoke step was not applied by A');
    assert.equal(r.revision, 0);
    assert.deepEqual(await a.services.rollouts.decisions(started.id), []);
    // B applies it, once
    await b.services.rollouts.controller.reconcile();
    const after = await b.services.rollouts.get(started.id);
    assert.equal(after.stepIndex, 1);
    assert.deepEqual(
      (await b.services.rollouts.decisions(started.id)).map((d) => [d.writer, d.action]),
      [['replica-b', 'advanced']],
    );
  });
});
