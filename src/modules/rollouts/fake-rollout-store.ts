import type { AuditInput } from '../audit/audit.js';
import type { Lease, PublishedWindow, RolloutStore, RolloutWrite, WriteResult } from './rollout-store.js';
import { ACTIVE_STATES, type Decision, type Rollout } from './types.js';

/** RolloutStore in memory, for unit tests; held to the SQL store's behaviour by the contract suite. */
export class FakeRolloutStore implements RolloutStore {
  readonly rollouts = new Map<string, Rollout>();
  readonly decisionRows: Array<Decision & { rolloutId: string }> = [];
  readonly audit: Array<{ at: string; event: AuditInput }> = [];
  readonly leases = new Map<string, Lease>();
  readonly replicas = new Map<string, number>();
  readonly published = new Map<string, PublishedWindow & { replica: string }>();
  #order = 0;
  readonly #created = new Map<string, number>();

  insert(rollout: Rollout, audit: { at: string; event: AuditInput }): Promise<'ok' | 'conflict'> {
    const busy = [...this.rollouts.values()].some(
      (r) => r.model === rollout.model && ACTIVE_STATES.includes(r.state),
    );
    if (busy || this.rollouts.has(rollout.id)) return Promise.resolve('conflict');
    this.rollouts.set(rollout.id, structuredClone(rollout));
    this.#created.set(rollout.id, this.#order++);
    this.audit.push(structuredClone(audit));
    return Promise.resolve('ok');
  }

  get(id: string): Promise<Rollout | undefined> {
    const r = this.rollouts.get(id);
    return Promise.resolve(r && structuredClone(r));
  }

  list(model: string, limit: number): Promise<Rollout[]> {
    const rows = [...this.rollouts.values()]
      .filter((r) => r.model === model)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
    return Promise.resolve(rows.slice(0, limit).map((r) => structuredClone(r)));
  }

  active(): Promise<Rollout[]> {
    return Promise.resolve(
      [...this.rollouts.values()]
        .filter((r) => ACTIVE_STATES.includes(r.state))
        .map((r) => structuredClone(r)),
    );
  }

  async activeRevisions(): Promise<Map<string, number>> {
    return new Map((await this.active()).map((r) => [r.id, r.revision]));
  }

  decisions(rolloutId: string, limit: number): Promise<Decision[]> {
    const rows = this.decisionRows
      .filter((d) => d.rolloutId === rolloutId)
      .reverse()
      .slice(0, limit)
      .map(({ rolloutId: _r, ...d }) => structuredClone(d));
    return Promise.resolve(rows);
  }

  write(w: RolloutWrite): Promise<WriteResult> {
    if (w.fence) {
      const lease = this.leases.get(w.fence.lease);
      if (lease?.holder !== w.fence.holder || lease.token !== w.fence.token) return Promise.resolve('fenced');
    }
    const current = this.rollouts.get(w.rollout.id);
    if (current?.revision !== w.expectedRevision) return Promise.resolve('conflict');
    this.rollouts.set(w.rollout.id, { ...structuredClone(w.rollout), revision: w.expectedRevision + 1 });
    if (w.decision)
      this.decisionRows.push({
        ...structuredClone(w.decision),
        id: this.decisionRows.length + 1,
        rolloutId: w.rollout.id,
      });
    if (w.audit) this.audit.push(structuredClone(w.audit));
    return Promise.resolve('ok');
  }

  claimLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<Lease> {
    const current = this.leases.get(name) ?? { name, holder: '', token: 0, expiresAt: 0 };
    if (current.holder !== holder && current.expiresAt > nowMs) return Promise.resolve({ ...current });
    const token = current.holder === holder ? current.token : current.token + 1;
    const next = { name, holder, token, expiresAt: nowMs + ttlMs };
    this.leases.set(name, next);
    return Promise.resolve({ ...next });
  }

  releaseLease(name: string, holder: string, token: number, nowMs: number): Promise<void> {
    const l = this.leases.get(name);
    if (l?.holder === holder && l.token === token) l.expiresAt = nowMs;
    return Promise.resolve();
  }

  publish(replica: string, nowMs: number, windows: PublishedWindow[]): Promise<void> {
    this.replicas.set(replica, nowMs);
    const keep = new Set(windows.map((w) => w.windowKey));
    for (const [k, w] of this.published)
      if (w.replica === replica && !keep.has(w.windowKey)) this.published.delete(k);
    for (const w of windows) this.published.set(`${replica}\0${w.windowKey}`, { ...w, replica });
    return Promise.resolve();
  }

  windows(windowKey: string, seenSinceMs: number): Promise<Array<PublishedWindow & { replica: string }>> {
    const rows = [...this.published.values()]
      .filter((w) => w.windowKey === windowKey && (this.replicas.get(w.replica) ?? -Infinity) >= seenSinceMs)
      .sort((a, b) => (a.replica < b.replica ? -1 : a.replica > b.replica ? 1 : 0));
    return Promise.resolve(rows.map((w) => ({ ...w })));
  }

  pruneReplicas(beforeMs: number): Promise<number> {
    let n = 0;
    for (const [replica, seen] of this.replicas) {
      if (seen >= beforeMs) continue;
      n++;
      this.replicas.delete(replica);
      for (const [k, w] of this.published) if (w.replica === replica) this.published.delete(k);
    }
    return Promise.resolve(n);
  }
}
