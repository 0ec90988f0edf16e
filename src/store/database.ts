import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { ALWAYS_AVAILABLE, DatabaseHealth, type DatabaseStatus } from './database-health.js';
import { guardedPool } from './guarded-pool.js';
import { retryWhileBusy } from './sqlite-busy.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: Dialect;
  /** Where the data lives, safe to print (no credentials). */
  location: string;
  /** Whether the database answers (PostgreSQL: from every query's outcome and a periodic probe). */
  status: DatabaseStatus;
  /**
   * SQLite only: `PRAGMA data_version`, which changes when another connection (another process)
   * commits; the cheap check that wakes a worker's change follower (docs/adr/0015).
   */
  dataVersion?: () => number;
  close(): Promise<void>;
}

/** Timeouts of PostgreSQL connections, so that nothing waits on an unreachable database forever. */
export interface DatabaseTimeouts {
  /** opening a connection, or waiting for a free one in the pool */
  connectMs: number;
  /**
   * one statement: `statement_timeout` on the server, and a client-side read timeout a little
   * longer; 0 for none (migrations, whose DDL on a large table may legitimately take minutes)
   */
  statementMs: number;
  /** a session left idle inside a transaction is ended by the server */
  idleInTransactionMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeouts = {
  connectMs: 5_000,
  statementMs: 30_000,
  idleInTransactionMs: 60_000,
};

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  home: string;
  poolSize?: number;
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  pgSchema?: string;
  timeouts?: DatabaseTimeouts;
  /** How often the PostgreSQL health probe runs when no query has succeeded meanwhile. */
  probeIntervalMs?: number;
  /** Lost connections and outages are logged here. */
  logger?: Logger;
}

const INT8_OID = 20;

/** node-postgres loads only in cluster mode: an embedded server never pays for it. */
export const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export function openDatabase(options: OpenDatabaseOptions): DatabaseHandle {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openSqlite(options.home);
}

function openSqlite(home: string): DatabaseHandle {
  const dir = resolve(home);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'modelgate.db');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('busy_timeout = 5000');
  // processes opening a new file together race to switch it to WAL (see retryWhileBusy)
  retryWhileBusy(() => sqlite.pragma('journal_mode = WAL'));
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    location: file,
    status: ALWAYS_AVAILABLE,
    dataVersion: () => sqlite.pragma('data_version', { simple: true }) as number,
    close: () => db.destroy(),
  };
}

/**
 * Transactions that take SQLite's write lock when they begin (`BEGIN IMMEDIATE`). Several
 * processes share the file (`serve --workers N`, `keys --local`): a deferred transaction that
 * reads and then writes fails with SQLITE_BUSY at once, whatever the busy timeout, when another
 * process committed in between; an immediate one waits for the lock (busy_timeout) instead.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

function openPostgres(url: string, options: OpenDatabaseOptions): DatabaseHandle {
  const pg = loadPg();
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const { logger, pgSchema: schema } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // bigint columns (counts, ids) fit in a double for any realistic size
    types: {
      getTypeParser: ((oid: number, format?: string): unknown =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    connectionTimeoutMillis: timeouts.connectMs,
    ...(timeouts.statementMs > 0
      ? {
          statement_timeout: timeouts.statementMs,
          // the server cancels a slow statement first (a clean error, the connection stays usable);
          // the client gives up a little later only when the server does not answer (frozen, cut off)
          query_timeout: timeouts.statementMs + Math.min(timeouts.statementMs, 1_000),
        }
      : {}),
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const health = new DatabaseHealth({
    onDown: (reason, err) => logger?.error({ err, reason }, 'database unavailable'),
    onUp: (downForMs) => logger?.info({ down_ms: downForMs }, 'database available again'),
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: guardedPool(pool, health, logger) }),
  });
  const probe = startProbe(db, health, options.probeIntervalMs ?? 5_000);
  const u = new URL(url);
  return {
    db,
    dialect: 'postgres',
    location: `postgres://${u.host}${u.pathname}${schema ? ` (schema ${schema})` : ''}`,
    status: health,
    async close() {
      clearInterval(probe);
      await db.destroy();
    },
  };
}

/**
 * `select 1` whenever no query succeeded during the last interval: readiness learns that the
 * database went away (or came back) without waiting for traffic to find out. Outcomes reach
 * `health` through the guarded pool; one probe at a time.
 */
function startProbe(db: Db, health: DatabaseHealth, intervalMs: number): NodeJS.Timeout {
  let running = false;
  return setInterval(() => {
    if (running || (health.up && Date.now() - health.lastOkMs < intervalMs)) return;
    running = true;
    sql`select 1`
      .execute(db)
      .catch(() => undefined) // already recorded by the pool
      .finally(() => (running = false));
  }, intervalMs).unref();
}
