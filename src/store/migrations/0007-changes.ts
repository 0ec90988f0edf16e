import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * The change log replicas follow (ADR 0010): one row per change to what is served, written in the
 * transaction that makes the change. On PostgreSQL a trigger announces each row on the channel
 * `modelgate_changes` with the payload `<schema>:<seq>`, so a replica wakes at once and ignores the
 * rows of other schemas (tests share one database, one schema per cluster).
 */
export const changes: Migration = {
  name: '0007_changes',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('changes')
      .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      // aliases | version | keys | rollout | warm
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('model', 'text')
      .addColumn('version', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('changes_at').on('changes').column('at').execute();
    if (dialect !== 'postgres') return;
    await sql`
      create function modelgate_changes_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('modelgate_changes', current_schema() || ':' || new.seq);
        return null;
      end $$`.execute(db);
    await sql`
      create trigger changes_notify after insert on changes
      for each row execute function modelgate_changes_notify()`.execute(db);
  },
};
