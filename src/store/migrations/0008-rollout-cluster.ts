import type { Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * One rollout decider among replicas and a judge that sees every replica's traffic
 * (docs/adr/0013-rollout-leader-lease.md):
 * - `rollouts.revision` is bumped by every write (optimistic concurrency, routing reloads);
 *   `previous_baseline` keeps the last partial step's merged stable window for 100% steps;
 * - `rollout_decisions.writer` names the replica that decided;
 * - `leases`: a named lease with its holder, a fencing token that grows at every takeover, and
 *   its expiry (epoch ms);
 * - `cluster_replicas`: each replica's last publish (a heartbeat), to ignore stale replicas;
 * - `rollout_windows` and `drift_windows`: what each replica observed, merged by the readers.
 */
export const rolloutCluster: Migration = {
  name: '0008_rollout_cluster',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('rollouts')
      .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('rollouts').addColumn('previous_baseline', 'text').execute();
    await db.schema
      .alterTable('rollout_decisions')
      .addColumn('writer', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('token', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('cluster_replicas')
      .addColumn('replica_id', 'text', (c) => c.primaryKey())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('rollout_windows')
      .addColumn('replica_id', 'text', (c) => c.notNull())
      .addColumn('window_key', 'text', (c) => c.notNull())
      .addColumn('rollout_id', 'text', (c) => c.notNull())
      .addColumn('stable', 'text', (c) => c.notNull())
      .addColumn('candidate', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rollout_windows_pk', ['replica_id', 'window_key'])
      .execute();
    await db.schema.createIndex('rollout_windows_key').on('rollout_windows').column('window_key').execute();
    await db.schema
      .createTable('drift_windows')
      .addColumn('replica_id', 'text', (c) => c.notNull())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('pane', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('drift_windows_pk', ['replica_id', 'model_name', 'version', 'epoch'])
      .execute();
  },
};
