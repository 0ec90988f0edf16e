import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import type { RolloutStore } from './rollout-store.js';
import type { Rollout } from './types.js';

const T0 = Date.UTC(2026, 10, 23, 10);

export function sampleRollout(over: Partial<Rollout> = {}): Rollout {
  return {
    id: 'ro_00000000000000a1',
    model: 'm',
    candidate: '1.1.0',
    baseline: '1.0.0',
    strategy: 'canary',
    plan: { steps: [{ type: 'canary', weight: 50, durationS: 60 }], intervalS: 60, noData: 'wait' },
    state: 'running',
    stepIndex: 0,
    stepStartedAt: T0,
    looks: 0,
    maxLooks: 1,
    checkpoint: { production: '1.0.0' },
    reason: null,
    createdBy: 'key:admin',
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    endedAt: null,
    revision: 0,
    previousBaseline: null,
    ...over,
  };
}

const audit = {
  at: new Date(T0).toISOString(),
  event: { principal: 'p', action: 'rollout.started' as const },
};
const decision = (writer: string, look = 1) => ({
  at: new Date(T0).toISOString(),
  stepIndex: 0,
  look,
  verdict: 'inconclusive' as const,
  action: 'continue',
  checks: [],
  writer,
});

/**
 * What every RolloutStore does, SQL (SQLite, PostgreSQL) and fake alike. `make` gives an empty
 * store (with a model `m` registered for SQL stores).
 */
export function rolloutStoreContract(make: (t: TestContext) => Promise<RolloutStore>): void {
  it('inserts, reads back and lists a rollout; one active rollout per model', async (t) => {
    const s = await make(t);
    const r = sampleRollout();
    assert.equal(await s.insert(r, audit), 'ok');
    assert.deepEqual(await s.get(r.id), r);
    assert.equal(await s.get('ro_nothere00000000'), undefined);
    assert.equal(await s.insert(sampleRollout({ id: 'ro_00000000000000a2' }), audit), 'conflict');
    assert.deepEqual(
      (await s.active()).map((x) => x.id),
      [r.id],
    );
    assert.deepEqual([...(await s.activeRevisions())], [[r.id, 0]]);
    await s.write({ rollout: { ...r, state: 'aborted', endedAt: audit.at }, expectedRevision: 0 });
    assert.deepEqual(await s.active(), []);
    const later = sampleRollout({ id: 'ro_00000000000000a3', createdAt: new Date(T0 + 1).toISOString() });
    assert.equal(await s.insert(later, audit), 'ok');
    assert.deepEqual(
      (await s.list('m', 10)).map((x) => x.id),
      [later.id, r.id],
    );
    assert.deepEqual(
      (await s.list('m', 1)).map((x) => x.id),
      [later.id],
    );
  });

  it('writes state and decision together, bumping the revision; a stale revision writes nothing', async (t) => {
    const s = await make(t);
    const r = sampleRollout();
    await s.insert(r, audit);
    const next = { ...r, looks: 1, previousBaseline: '{"requests":1}' };
    assert.equal(await s.write({ rollout: next, expectedRevision: 0, decision: decision('r1') }), 'ok');
    const stored = await s.get(r.id);
    assert.equal(stored?.revision, 1);
    assert.equal(stored?.looks, 1);
    assert.equal(stored?.previousBaseline, '{"requests":1}');
    assert.equal(
      await s.write({ rollout: { ...next, looks: 2 }, expectedRevision: 0, decision: decision('r2', 2) }),
      'conflict',
    );
    assert.equal((await s.get(r.id))?.looks, 1);
    const decisions = await s.decisions(r.id, 10);
    assert.equal(decisions.length, 1);
    assert.deepEqual({ ...decisions[0], id: 0 }, { ...decision('r1'), id: 0 });
    assert.deepEqual([...(await s.activeRevisions())], [[r.id, 1]]);
  });

  it('hands the lease to one holder at a time; a takeover after expiry increments the token', async (t) => {
    const s = await make(t);
    const a = await s.claimLease('rollouts', 'A', T0, 15_000);
    assert.deepEqual(a, { name: 'rollouts', holder: 'A', token: 1, expiresAt: T0 + 15_000 });
    assert.deepEqual(await s.claimLease('rollouts', 'B', T0 + 5000, 15_000), a, 'B sees A lead');
    const renewed = await s.claimLease('rollouts', 'A', T0 + 5000, 15_000);
    assert.deepEqual(renewed, { ...a, expiresAt: T0 + 20_000 }, 'a renewal keeps the token');
    const b = await s.claimLease('rollouts', 'B', T0 + 20_000, 15_000);
    assert.deepEqual(b, { name: 'rollouts', holder: 'B', token: 2, expiresAt: T0 + 35_000 });
    assert.equal((await s.claimLease('rollouts', 'A', T0 + 21_000, 15_000)).holder, 'B');
    await s.releaseLease('rollouts', 'A', 1, T0 + 21_000); // not A's any more: no effect
    assert.equal((await s.claimLease('rollouts', 'A', T0 + 22_000, 15_000)).holder, 'B');
    await s.releaseLease('rollouts', 'B', 2, T0 + 22_000);
    assert.deepEqual(await s.claimLease('rollouts', 'A', T0 + 22_000, 15_000), {
      name: 'rollouts',
      holder: 'A',
      token: 3,
      expiresAt: T0 + 37_000,
    });
  });

  it("refuses a stale leader's fenced write, and writes nothing of it", async (t) => {
    const s = await make(t);
    const r = sampleRollout();
    await s.insert(r, audit);
    const a = await s.claimLease('rollouts', 'A', T0, 1000);
    const fenceA = { lease: 'rollouts', holder: 'A', token: a.token };
    assert.equal(
      await s.write({
        rollout: { ...r, looks: 1 },
        expectedRevision: 0,
        decision: decision('A'),
        fence: fenceA,
      }),
      'ok',
    );
    const b = await s.claimLease('rollouts', 'B', T0 + 2000, 1000);
    assert.equal(b.token, a.token + 1);
    assert.equal(
      await s.write({
        rollout: { ...r, looks: 2 },
        expectedRevision: 1,
        decision: decision('A', 2),
        fence: fenceA,
      }),
      'fenced',
    );
    assert.equal((await s.get(r.id))?.looks, 1);
    assert.equal((await s.decisions(r.id, 10)).length, 1);
    const fenceB = { lease: 'rollouts', holder: 'B', token: b.token };
    assert.equal(
      await s.write({
        rollout: { ...r, looks: 2 },
        expectedRevision: 1,
        decision: decision('B', 2),
        fence: fenceB,
      }),
      'ok',
    );
    assert.deepEqual(
      (await s.decisions(r.id, 10)).map((d) => d.writer),
      ['B', 'A'],
    );
  });

  it("publishes each replica's windows and reads them back from fresh replicas only", async (t) => {
    const s = await make(t);
    const w = (key: string, n: number) => ({
      windowKey: key,
      rolloutId: 'ro_1',
      stable: `s${n}`,
      candidate: `c${n}`,
    });
    await s.publish('r1', T0, [w('k1', 1), w('k0', 0)]);
    await s.publish('r2', T0 + 100, [w('k1', 2)]);
    await s.publish('r1', T0 + 200, [w('k1', 3)]); // k0 is gone from r1's windows
    assert.deepEqual(await s.windows('k0', 0), []);
    assert.deepEqual(
      (await s.windows('k1', T0)).map((x) => [x.replica, x.stable, x.candidate]),
      [
        ['r1', 's3', 'c3'],
        ['r2', 's2', 'c2'],
      ],
    );
    assert.deepEqual(
      (await s.windows('k1', T0 + 150)).map((x) => x.replica),
      ['r1'],
      'r2 was last seen before',
    );
    assert.equal(await s.pruneReplicas(T0 + 150), 1);
    assert.deepEqual(
      (await s.windows('k1', 0)).map((x) => x.replica),
      ['r1'],
    );
    await s.publish('r1', T0 + 300, []);
    assert.deepEqual(await s.windows('k1', 0), []);
  });
}
