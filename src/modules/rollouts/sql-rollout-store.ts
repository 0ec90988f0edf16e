import type { Kysely, Transaction } from 'kysely';
import { recordChange } from '../../store/change-log.js';
import type { Dialect } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import { appendAudit } from '../audit/audit.js';
import { fromDecisionRow, fromRow, toRow } from './rollout-rows.js';
import type { Lease, PublishedWindow, RolloutStore, RolloutWrite, WriteResult } from './rollout-store.js';
import { ACTIVE_STATES, type Decision, type Rollout } from './types.js';

/** Thrown inside a transaction to roll it back with a result. */
class Refused extends Error {
  constructor(readonly result: Exclude<WriteResult, 'ok'>) {
    super(result);
  }
}

const isUniqueViolation = (err: unknown) => /unique/i.test(String((err as Error).message));

/** RolloutStore on Kysely: SQLite (one process) and PostgreSQL (replicas, row locks). */
export class SqlRolloutStore implements RolloutStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async insert(rollout: Rollout, audit: { at: string; event: Parameters<typeof appendAudit>[2] }) {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('rollouts').values(toRow(rollout)).execute();
        await appendAudit(trx, audit.at, audit.event);
        // every replica starts routing by it at once (ADR 0010), not at its next tick
        await recordChange(trx, { kind: 'rollout', model: rollout.model, at: audit.at });
      });
      return 'ok' as const;
    } catch (err) {
      if (isUniqueViolation(err)) return 'conflict' as const;
      throw err;
    }
  }

  async get(id: string): Promise<Rollout | undefined> {
    const row = await this.db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async list(model: string, limit: number): Promise<Rollout[]> {
    const rows = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  async active(): Promise<Rollout[]> {
    const rows = await this.db
      .selectFrom('rollouts')
      .selectAll()
      .where('state', 'in', [...ACTIVE_STATES])
      .execute();
    return rows.map(fromRow);
  }

  async activeRevisions(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('rollouts')
      .select(['id', 'revision'])
      .where('state', 'in', [...ACTIVE_STATES])
      .execute();
    return new Map(rows.map((r) => [r.id, Number(r.revision)]));
  }

  async decisions(rolloutId: string, limit: number): Promise<Decision[]> {
    const rows = await this.db
      .selectFrom('rollout_decisions')
      .selectAll()
      .where('rollout_id', '=', rolloutId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(fromDecisionRow);
  }

  async write(w: RolloutWrite): Promise<WriteResult> {
    try {
      await this.db.transaction().execute(async (trx) => {
        // the fence first: on PostgreSQL a FOR SHARE read of the lease row, so a takeover (FOR
        // UPDATE in claimLease) waits for this transaction, and this one sees a finished takeover
        if (w.fence && !(await this.#holds(trx, w.fence.lease, w.fence.holder, w.fence.token)))
          throw new Refused('fenced');
        const { id: _id, ...values } = toRow(w.rollout);
        const updated = await trx
          .updateTable('rollouts')
          .set({ ...values, revision: w.expectedRevision + 1 })
          .where('id', '=', w.rollout.id)
          .where('revision', '=', w.expectedRevision)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw new Refused('conflict');
        if (w.decision) {
          const d = w.decision;
          await trx
            .insertInto('rollout_decisions')
            .values({
              rollout_id: w.rollout.id,
              at: d.at,
              step_index: d.stepIndex,
              look: d.look,
              verdict: d.verdict,
              action: d.action,
              checks: JSON.stringify(d.checks),
              writer: d.writer,
            })
            .execute();
        }
        if (w.audit) await appendAudit(trx, w.audit.at, w.audit.event);
        await recordChange(trx, {
          kind: 'rollout',
          model: w.rollout.model,
          at: w.audit?.at ?? w.decision?.at ?? new Date().toISOString(),
        });
      });
      return 'ok';
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
  }

  async #holds(trx: Transaction<Database>, lease: string, holder: string, token: number): Promise<boolean> {
    let q = trx
      .selectFrom('leases')
      .select('token')
      .where('name', '=', lease)
      .where('holder', '=', holder)
      .where('token', '=', token);
    if (this.dialect === 'postgres') q = q.forShare();
    return (await q.executeTakeFirst()) !== undefined;
  }

  async claimLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<Lease> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('leases')
        .values({ name, holder: '', token: 0, expires_at: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      let q = trx.selectFrom('leases').selectAll().where('name', '=', name);
      if (this.dialect === 'postgres') q = q.forUpdate();
      const row = (await q.executeTakeFirstOrThrow()) as {
        holder: string;
        token: number | string;
        expires_at: number | string;
      };
      const current: Lease = {
        name,
        holder: row.holder,
        token: Number(row.token),
        expiresAt: Number(row.expires_at),
      };
      // someone else's valid lease: leave it
      if (current.holder !== holder && current.expiresAt > nowMs) return current;
      // renewal keeps the token; a change of holder (free, expired) increments it
      const token = current.holder === holder ? current.token : current.token + 1;
      const next: Lease = { name, holder, token, expiresAt: nowMs + ttlMs };
      await trx
        .updateTable('leases')
        .set({ holder, token, expires_at: next.expiresAt })
        .where('name', '=', name)
        .execute();
      return next;
    });
  }

  async releaseLease(name: string, holder: string, token: number, nowMs: number): Promise<void> {
    await this.db
      .updateTable('leases')
      .set({ expires_at: nowMs })
      .where('name', '=', name)
      .where('holder', '=', holder)
      .where('token', '=', token)
      .execute();
  }

  async publish(replica: string, nowMs: number, windows: PublishedWindow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('cluster_replicas')
        .values({ replica_id: replica, seen_at: nowMs })
        .onConflict((oc) => oc.column('replica_id').doUpdateSet({ seen_at: nowMs }))
        .execute();
      let stale = trx.deleteFrom('rollout_windows').where('replica_id', '=', replica);
      if (windows.length > 0)
        stale = stale.where(
          'window_key',
          'not in',
          windows.map((w) => w.windowKey),
        );
      await stale.execute();
      for (const w of windows) {
        const values = { stable: w.stable, candidate: w.candidate, published_at: nowMs };
        await trx
          .insertInto('rollout_windows')
          .values({ replica_id: replica, window_key: w.windowKey, rollout_id: w.rolloutId, ...values })
          .onConflict((oc) => oc.columns(['replica_id', 'window_key']).doUpdateSet(values))
          .execute();
      }
    });
  }

  async windows(windowKey: string, seenSinceMs: number) {
    const rows = await this.db
      .selectFrom('rollout_windows as w')
      .innerJoin('cluster_replicas as r', 'r.replica_id', 'w.replica_id')
      .select(['w.replica_id', 'w.window_key', 'w.rollout_id', 'w.stable', 'w.candidate'])
      .where('w.window_key', '=', windowKey)
      .where('r.seen_at', '>=', seenSinceMs)
      .orderBy('w.replica_id')
      .execute();
    return rows.map((r) => ({
      replica: r.replica_id,
      windowKey: r.window_key,
      rolloutId: r.rollout_id,
      stable: r.stable,
      candidate: r.candidate,
    }));
  }

  async pruneReplicas(beforeMs: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const gone = await trx
        .selectFrom('cluster_replicas')
        .select('replica_id')
        .where('seen_at', '<', beforeMs)
        .execute();
      if (gone.length === 0) return 0;
      const ids = gone.map((g) => g.replica_id);
      await trx.deleteFrom('rollout_windows').where('replica_id', 'in', ids).execute();
      await trx.deleteFrom('cluster_replicas').where('replica_id', 'in', ids).execute();
      return ids.length;
    });
  }
}
