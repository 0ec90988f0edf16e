import type { Migration } from '../migrate.js';
import { initial } from './0001-initial.js';
import { idempotency } from './0002-idempotency.js';
import { rollouts } from './0003-rollouts.js';
import { predictions } from './0004-predictions.js';
import { quality } from './0005-quality.js';
import { predictionRetention } from './0006-prediction-retention.js';
import { changes } from './0007-changes.js';
import { rolloutCluster } from './0008-rollout-cluster.js';
import { versionLifecycle } from './0011-version-lifecycle.js';

/** Every migration, in order. Forward only: a released migration is never edited, only followed. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  idempotency,
  rollouts,
  predictions,
  quality,
  predictionRetention,
  changes,
  rolloutCluster,
  versionLifecycle,
];
