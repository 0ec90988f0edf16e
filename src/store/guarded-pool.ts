import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../shared/logger.js';
import { databaseUnavailable, isConnectivityError, isLostConnection } from './database-errors.js';
import type { DatabaseHealth } from './database-health.js';

/**
 * The node-postgres pool as Kysely sees it, made safe for a database that goes away:
 * - every `'error'` event is handled (an idle connection terminated by the server, a restart): an
 *   unhandled one ends the process;
 * - an unreachable / timed-out / lost-connection error becomes DATABASE_UNAVAILABLE (one place,
 *   so no route maps it), and its connection is destroyed rather than reused: after a client-side
 *   query timeout the connection still owes the answer to the abandoned query;
 * - the first statement of a checkout that meets a connection lost while idle runs again (twice at
 *   most) on another connection when it is a read or a `begin` (never a write: it may have been
 *   committed);
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
  const connect = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (err) {
      throw failure(err, health);
    }
  };
  return {
    connect: async () => guardedClient(await connect(), connect, health),
    end: () => pool.end(),
  };
}

/**
 * Statements that may run again when their connection was lost: a read, or the start of a
 * transaction (nothing of it has run yet). A write may have been committed before the connection
 * broke, so it is never repeated.
 */
const REPEATABLE = /^\s*(?:select|begin|start transaction)\b/i;

/** Repeats at most, past dead connections the pool may still hold. */
const MAX_REPEATS = 2;

function guardedClient(
  first: pg.PoolClient,
  connect: () => Promise<pg.PoolClient>,
  health: DatabaseHealth,
): PostgresPoolClient {
  let client = first;
  let used = false;
  let broken: Error | undefined;
  let lent = true; // false while a lost connection is swapped: `release` has nothing to give back
  const run = async (sql: string, parameters: readonly unknown[]) => {
    const result = await client.query(sql, [...parameters]);
    health.ok();
    return result;
  };
  const query = async (sql: string, parameters: readonly unknown[]) => {
    // A pooled connection the server ended while it sat idle (pg_terminate_backend, a restart, a
    // proxy's idle cut) is dropped by the pool only once its socket's close is read, which can come
    // after the next checkout: the first statement of a checkout meets the dead connection.
    // Nothing of the checkout has run yet, so a repeatable statement runs again on another one.
    let repeats = used || !REPEATABLE.test(sql) ? 0 : MAX_REPEATS;
    used = true;
    for (;;) {
      try {
        return await run(sql, parameters);
      } catch (err) {
        if (!isConnectivityError(err)) throw err;
        if (repeats-- > 0 && isLostConnection(err)) {
          client.release(asError(err));
          lent = false;
          // this answer was read in the middle of an I/O phase, before the pool's other sockets:
          // let it read their closes too, so it does not hand out another connection as dead
          await new Promise((resolve) => setImmediate(resolve));
          client = await connect();
          lent = true;
          continue;
        }
        broken = asError(err);
        throw failure(err, health);
      }
    }
  };
  return {
    // only the (sql, parameters) form is used: the dialect is configured without a cursor
    query: query as unknown as PostgresPoolClient['query'],
    // a broken connection is destroyed (release with an error), never handed out again
    release: () => {
      if (lent) client.release(broken);
    },
  };
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

function failure(err: unknown, health: DatabaseHealth): unknown {
  if (!isConnectivityError(err)) return err;
  // a statement cancelled by statement_timeout was answered by a live server: one slow query
  // makes that call fail, not the replica unready
  if ((err as { code?: unknown }).code !== '57014') health.failed(err);
  return databaseUnavailable(err);
}
