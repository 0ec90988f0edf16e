import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { databaseUnavailable, isConnectivityError } from './database-errors.js';
import type { DatabaseHealth } from './database-health.js';

/**
 * The node-postgres pool as Kysely sees it, made safe for a database that goes away:
 * - every `'error'` event is handled (an idle connection terminated by the server, a restart): an
 *   unhandled one ends the process;
 * - an unreachable / timed-out / lost-connection error becomes DATABASE_UNAVAILABLE (one place,
 *   so no route maps it), and its connection is destroyed rather than reused: after a client-side
 *   query timeout the connection still owes the answer to the abandoned query;
 * - every outcome tells `health` whether the database answers (readiness reads it).
 */
export function guardedPool(pool: pg.Pool, health: DatabaseHealth, logger: Logger | undefined): PostgresPool {
  pool.on('error', (err) => {
    // an idle connection failed: the pool has already dropped it; the next query opens a new one
    logger?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'idle database connection lost',
    );
  });
  pool.on('connect', (client) => {
    // a checked-out connection that breaks between queries emits 'error' on the client, which the
    // pool does not listen to while it is lent out: the next query on it fails and is reported
    client.on('error', () => undefined);
  });
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw failure(err, health);
      }
      return guardedClient(client, health);
    },
    end: () => pool.end(),
  };
}

function guardedClient(client: pg.PoolClient, health: DatabaseHealth): PostgresPoolClient {
  let broken: Error | undefined;
  const query = async (sql: string, parameters: readonly unknown[]) => {
    try {
      const result = await client.query(sql, [...parameters]);
      health.ok();
      return result;
    } catch (err) {
      if (!isConnectivityError(err)) throw err;
      broken = err instanceof Error ? err : new Error(String(err));
      throw failure(err, health);
    }
  };
  return {
    // only the (sql, parameters) form is used: the dialect is configured without a cursor
    query: query as unknown as PostgresPoolClient['query'],
    // a broken connection is destroyed (release with an error), never handed out again
    release: () => client.release(broken),
  };
}

function failure(err: unknown, health: DatabaseHealth): unknown {
  if (!isConnectivityError(err)) return err;
  // a statement cancelled by statement_timeout was answered by a live server: one slow query
  // makes that call fail, not the replica unready
  if ((err as { code?: unknown }).code !== '57014') health.failed(err);
  return databaseUnavailable(err);
}
