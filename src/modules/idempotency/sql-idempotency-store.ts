import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { ClaimResult, IdempotencyId, IdempotencyStore, StoredResponse } from './idempotency-store.js';

/**
 * Cluster mode: records in the shared database, so a retry that lands on another replica sees the
 * first request. The claim is an INSERT that only one replica can win; a stale claim or an expired
 * record is taken over with a conditional UPDATE that, again, only one can win.
 */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(id: IdempotencyId, fingerprint: string, nowMs: number, lockMs: number): Promise<ClaimResult> {
    const inserted = await this.db
      .insertInto('idempotency_keys')
      .values({
        ...id,
        fingerprint,
        state: 'running',
        response: null,
        locked_until: nowMs + lockMs,
        expires_at: nowMs + lockMs,
      })
      .onConflict((oc) => oc.columns(['principal', 'method', 'route', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'claimed' };

    const row = await this.#where(this.db.selectFrom('idempotency_keys').selectAll(), id).executeTakeFirst();
    if (!row) return this.claim(id, fingerprint, nowMs, lockMs); // released in between
    const live = row.state === 'done' ? Number(row.expires_at) > nowMs : Number(row.locked_until) > nowMs;
    if (live) {
      if (row.state === 'running') return { kind: 'running' };
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return { kind: 'replay', response: JSON.parse(row.response!) as StoredResponse };
    }
    const taken = await this.#where(
      this.db.updateTable('idempotency_keys').set({
        fingerprint,
        state: 'running',
        response: null,
        locked_until: nowMs + lockMs,
        expires_at: nowMs + lockMs,
      }),
      id,
    )
      .where('state', '=', row.state)
      .where('locked_until', '=', row.locked_until)
      .where('expires_at', '=', row.expires_at)
      .executeTakeFirst();
    return Number(taken.numUpdatedRows) === 1
      ? { kind: 'claimed' }
      : this.claim(id, fingerprint, nowMs, lockMs);
  }

  async complete(id: IdempotencyId, response: StoredResponse, expiresAtMs: number): Promise<void> {
    await this.#where(
      this.db
        .updateTable('idempotency_keys')
        .set({ state: 'done', response: JSON.stringify(response), expires_at: expiresAtMs }),
      id,
    ).execute();
  }

  async release(id: IdempotencyId): Promise<void> {
    await this.#where(this.db.deleteFrom('idempotency_keys'), id).where('state', '=', 'running').execute();
  }

  /** Deletes expired records; returns how many. */
  async purgeExpired(nowMs: number): Promise<number> {
    const r = await this.db
      .deleteFrom('idempotency_keys')
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'done'), eb('expires_at', '<=', nowMs)]),
          eb.and([eb('state', '=', 'running'), eb('locked_until', '<=', nowMs)]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  #where<Q extends { where: (...args: never[]) => unknown }>(q: Q, id: IdempotencyId): Q {
    const w = q as unknown as {
      where: (c: string, op: string, v: string) => typeof w;
    };
    return w
      .where('principal', '=', id.principal)
      .where('method', '=', id.method)
      .where('route', '=', id.route)
      .where('key', '=', id.key) as unknown as Q;
  }
}
