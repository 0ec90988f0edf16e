import type { Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Model quality: the reference profile of a version (from the reference data registered with it)
 * and evaluations over labelled data, which promotion policies read.
 */
export const quality: Migration = {
  name: '0005_quality',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('reference_profiles')
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('data_path', 'text', (c) => c.notNull())
      .addColumn('data_sha256', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull())
      .addColumn('profile', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('reference_profiles_pk', ['model_name', 'version'])
      .execute();
    await db.schema
      .createTable('evaluations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('data_sha256', 'text', (c) => c.notNull())
      .addColumn('data_name', 'text')
      .addColumn('label_column', 'text', (c) => c.notNull())
      .addColumn('rows', 'integer', (c) => c.notNull())
      .addColumn('metrics', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('evaluations_model_version_at')
      .on('evaluations')
      .columns(['model_name', 'version', 'created_at'])
      .execute();
  },
};
