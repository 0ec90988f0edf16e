import { sql, type Kysely, type Transaction } from 'kysely';
import type { DatabaseHandle, Dialect } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

export interface Migration {
  /** Unique, sortable name, e.g. `0002_rollouts`. */
  name: string;
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/** Arbitrary constant: the PostgreSQL advisory lock that serialises migrations across replicas. */
const PG_MIGRATION_LOCK = 7_245_019_311;

/**
 * Applies pending migrations in one transaction under an exclusive lock, so replicas starting
 * together apply each migration exactly once and a failure leaves the schema untouched.
 * PostgreSQL: a transaction-scoped advisory lock. SQLite: BEGIN IMMEDIATE takes the database's
 * write lock up front (both databases have transactional DDL). Returns the names applied.
 */
export async function migrate(
  handle: DatabaseHandle,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => Date = () => new Date(),
): Promise<string[]> {
  const db = handle.db as unknown as Kysely<unknown>;
  if (handle.dialect === 'postgres') {
    return db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`.execute(trx);
      return applyPending(trx, handle.dialect, migrations, now);
    });
  }
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const applied = await applyPending(conn, handle.dialect, migrations, now);
      await sql`commit`.execute(conn);
      return applied;
    } catch (err) {
      await sql`rollback`.execute(conn);
      throw err;
    }
  });
}

async function applyPending(
  db: Kysely<unknown> | Transaction<unknown>,
  dialect: Dialect,
  migrations: readonly Migration[],
  now: () => Date,
): Promise<string[]> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const rows = await sql<{ name: string }>`select name from schema_migrations`.execute(db);
  const done = new Set(rows.rows.map((r) => r.name));
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...done].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(
      `the database was migrated by a newer modelgate (unknown migrations: ${unknown.join(', ')}); upgrade this binary`,
    );
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    await m.up(db, dialect);
    await sql`insert into schema_migrations (name, applied_at) values (${m.name}, ${now().toISOString()})`.execute(
      db,
    );
    applied.push(m.name);
  }
  return applied;
}
