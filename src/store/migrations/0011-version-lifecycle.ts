import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Version lifecycle: active | deprecated | archived, why and when it last changed, and when the
 * garbage collector deleted an archived version's artifact. One column per statement: SQLite's
 * ALTER TABLE adds one column at a time. Existing versions become `active`.
 */
export const versionLifecycle: Migration = {
  name: '0011_version_lifecycle',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('model_versions')
      .addColumn('lifecycle', 'text', (c) => c.notNull().defaultTo('active'))
      .execute();
    for (const column of [
      'lifecycle_reason',
      'lifecycle_changed_at',
      'lifecycle_changed_by',
      'artifact_collected_at',
    ]) {
      await db.schema.alterTable('model_versions').addColumn(column, 'text').execute();
    }
    // the garbage collector looks for archived versions by age
    await sql`create index model_versions_lifecycle on model_versions (lifecycle, lifecycle_changed_at)`.execute(
      db,
    );
  },
};
