import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** What changed; a replica's subscribers are chosen by kind (ADR 0010). */
export const CHANGE_KINDS = ['aliases', 'version', 'keys', 'rollout', 'warm'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  seq: number;
  kind: ChangeKind;
  model: string | null;
  /** the version concerned, when one is (a warm hint names the candidate) */
  version: string | null;
  /** ISO-8601 time the change was recorded */
  at: string;
}

export interface ChangeInput {
  kind: ChangeKind;
  model?: string | undefined;
  version?: string | undefined;
  /** ISO-8601; the writer's clock */
  at: string;
}

/** Arbitrary constant: the PostgreSQL advisory lock that orders change records (ADR 0010). */
const PG_CHANGE_LOCK = 7_245_019_312;
/** Rows older than this are deleted as new ones are written: followers lag seconds, not hours. */
export const CHANGE_RETENTION_MS = 3_600_000;

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Records a change in the caller's transaction, so the change and its record commit together.
 * On PostgreSQL a transaction-scoped advisory lock is taken first: sequence numbers are handed
 * out in the order transactions will commit, so a follower reading `seq > last` can never skip a
 * row that commits after a higher one (SQLite has one writer, which gives the same order).
 * Call it last in the transaction: the lock is held until commit.
 */
export async function recordChange(trx: Executor, change: ChangeInput): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${PG_CHANGE_LOCK})`.execute(trx);
  }
  const cutoff = new Date(Date.parse(change.at) - CHANGE_RETENTION_MS).toISOString();
  await trx.deleteFrom('changes').where('at', '<', cutoff).execute();
  await trx
    .insertInto('changes')
    .values({
      kind: change.kind,
      model: change.model ?? null,
      version: change.version ?? null,
      at: change.at,
    })
    .execute();
}

/** Records a change in a transaction of its own (a hint, or a change with nothing else to write). */
export async function recordChangeAlone(db: Kysely<Database>, change: ChangeInput): Promise<void> {
  await db.transaction().execute((trx) => recordChange(trx, change));
}

/** The read side the change follower needs (its port, declared in change-follower.ts). */
export class SqlChangeLog {
  constructor(private readonly db: Kysely<Database>) {}

  async maxSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async since(seq: number, limit: number): Promise<Change[]> {
    const rows = await this.db
      .selectFrom('changes')
      .selectAll()
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      kind: r.kind as ChangeKind,
      model: r.model,
      version: r.version,
      at: r.at,
    }));
  }
}
