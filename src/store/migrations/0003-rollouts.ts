import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/** Rollouts and the decisions taken at each analysis look. */
export const rollouts: Migration = {
  name: '0003_rollouts',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('rollouts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('candidate', 'text', (c) => c.notNull())
      .addColumn('baseline', 'text', (c) => c.notNull())
      .addColumn('strategy', 'text', (c) => c.notNull())
      .addColumn('plan', 'text', (c) => c.notNull())
      // running | paused | promoted | rolled_back | aborted
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('step_index', 'integer', (c) => c.notNull())
      .addColumn('step_started_at', 'bigint', (c) => c.notNull())
      .addColumn('looks', 'integer', (c) => c.notNull())
      .addColumn('max_looks', 'integer', (c) => c.notNull())
      .addColumn('checkpoint', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text')
      .execute();
    // one active rollout per model, enforced by the database
    await sql`create unique index rollouts_one_active on rollouts (model_name) where state in ('running', 'paused')`.execute(
      db,
    );
    await db.schema
      .createTable('rollout_decisions')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('rollout_id', 'text', (c) => c.notNull().references('rollouts.id'))
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('step_index', 'integer', (c) => c.notNull())
      .addColumn('look', 'integer', (c) => c.notNull())
      .addColumn('verdict', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('checks', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('rollout_decisions_rollout')
      .on('rollout_decisions')
      .columns(['rollout_id', 'id'])
      .execute();
  },
};
