import type { Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/** Idempotency-Key records for cluster mode (embedded mode keeps them in memory). */
export const idempotency: Migration = {
  name: '0002_idempotency',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('route', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      // 'running' while the first request executes, 'done' once its response is stored
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('response', 'text')
      // epoch milliseconds: a running claim is abandoned after locked_until, a record expires at expires_at
      .addColumn('locked_until', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'method', 'route', 'key'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_expires')
      .on('idempotency_keys')
      .column('expires_at')
      .execute();
  },
};
