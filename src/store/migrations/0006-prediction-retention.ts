import type { Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * Retention of the prediction log deletes the oldest rows of all models in small batches: it
 * needs them in time order across models (the existing index leads with the model), and the
 * feedback of a row by its prediction id (the feedback key leads with it already).
 */
export const predictionRetention: Migration = {
  name: '0006_prediction_retention',
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('predictions_at').on('predictions').column('at').execute();
  },
};
