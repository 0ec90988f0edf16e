import type { Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/** The prediction log (written in batches, off the request path) and ground-truth feedback. */
export const predictions: Migration = {
  name: '0004_predictions',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('predictions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('variant', 'text')
      .addColumn('rollout_id', 'text')
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('outputs', 'text', (c) => c.notNull())
      .addColumn('inputs', 'text')
      .execute();
    await db.schema
      .createIndex('predictions_model_version_at')
      .on('predictions')
      .columns(['model_name', 'version', 'at'])
      .execute();
    await db.schema
      .createTable('feedback')
      .addColumn('prediction_id', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('truth', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('feedback_pk', ['prediction_id', 'idx'])
      .execute();
  },
};
