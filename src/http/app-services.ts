import type { Logger } from 'pino';
import type { Config } from '../config/config-schema.js';
import type { ArtifactCollector } from '../modules/registry/artifact-collector.js';
import type { LifecycleService } from '../modules/registry/lifecycle-service.js';
import type { RegistryService } from '../modules/registry/registry-service.js';
import type { ApiKeyService } from '../modules/security/api-key-service.js';
import type { Authenticator } from '../modules/security/authenticator.js';
import type { FailedAuthStore } from '../modules/security/failed-auth-store.js';
import type { PredictService } from '../modules/serving/predict-service.js';
import type { AnswerObservers } from '../modules/serving/answer.js';
import type { ServingService } from '../modules/serving/serving-service.js';
import type { Clock } from '../shared/clock.js';
import type { Observability } from '../observability/observability.js';
import type { Rollouts } from '../modules/rollouts/rollouts.js';
import type { PredictionLog } from '../modules/feedback/prediction-log.js';
import type { FeedbackService } from '../modules/feedback/feedback-service.js';
import type { IdempotencyStore } from '../modules/idempotency/idempotency-store.js';
import type { AuditReader } from '../modules/audit/audit.js';
import type { DriftMonitor } from '../modules/monitoring/drift-monitor.js';
import type { EvaluationService } from '../modules/quality/evaluation-service.js';
import type { PromotionGate } from '../modules/quality/promotion-gate.js';
import type { ReadinessService } from '../modules/quality/readiness-service.js';
import type { DatabaseStatus } from '../store/database-health.js';
import type { SharedRateLimits } from './hardening.js';

/** Everything the HTTP layer uses, built by the composition root (main.ts) or by tests. */
export interface AppServices {
  config: Config;
  logger: Logger;
  clock: Clock;
  registry: RegistryService;
  serving: ServingService;
  predict: PredictService;
  /** The data plane's observers, told after each inference answer (metrics, stats, rollout windows, log, drift). */
  answers: AnswerObservers;
  keys: ApiKeyService;
  auth: Authenticator;
  /** Failed authentications per client address (in memory; in Redis when one is configured). */
  failedAuth: FailedAuthStore;
  /** With Redis configured: where per-principal rate limits count, and what a failure does. */
  sharedLimits?: SharedRateLimits;
  idempotency: IdempotencyStore;
  audit: AuditReader;
  observability: Observability;
  rollouts: Rollouts;
  predictionLog: PredictionLog;
  feedback: FeedbackService;
  /** Live windows and drift assessments per version with a reference profile. */
  drift: DriftMonitor;
  /** Evaluations of versions over labelled data. */
  evaluations: EvaluationService;
  /** The promotion policy, enforced on promote and rollout start. */
  promotion: PromotionGate;
  /** Deprecate, archive, restore versions; which versions are deprecated (Deprecation header). */
  lifecycle: LifecycleService;
  /** Garbage collection of archived versions' artifacts. */
  collector: ArtifactCollector;
  /** The deployment-readiness checklist (go/no-go) of a version. */
  readiness: ReadinessService;
  /** Where uploads are staged; on the same filesystem as the artifact store. */
  stagingDir: string;
  /** Whether the database answers (readiness fails while it is known to be unreachable). */
  database: DatabaseStatus;
  /** True once shutdown began: readiness fails so load balancers stop sending traffic. */
  shuttingDown(): boolean;
}
