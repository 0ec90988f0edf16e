import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The metrics catalogue: every metric modelgate exports, in one place, on a private registry (so
 * two apps in one process, as in tests, never share counters). Prometheus naming: `modelgate_`
 * prefix, base units (seconds), `_total` for counters. docs/observability.md's reference table is
 * generated from `catalogue()` and a test keeps the two in sync; another checks that every
 * dashboard query and alert rule names a metric from here.
 */

/**
 * Inference takes from ~20 µs (a small tree ensemble, one row) to seconds (large batches, deep
 * nets): buckets from 0.1 ms up, about ×2.5 apart, so p50/p95/p99 of a millisecond-scale model
 * land in distinct buckets.
 */
export const INFERENCE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Whole requests add parsing, auth and serialization to inference: from 0.5 ms up. */
export const REQUEST_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
/** Batch sizes, up to the default maximum of 1000 instances per request. */
export const INSTANCE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export type PredictionOutcome = 'ok' | 'invalid' | 'error' | 'timeout';

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'modelgate_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'modelgate_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  readonly predictions = new Counter({
    name: 'modelgate_predictions_total',
    help: 'Predict requests by model, version and outcome (ok, invalid, error, timeout).',
    labelNames: ['model', 'version', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly inferenceDuration = new Histogram({
    name: 'modelgate_inference_duration_seconds',
    help: 'ONNX Runtime run time per request (the whole batch), by model and version.',
    labelNames: ['model', 'version'] as const,
    buckets: INFERENCE_BUCKETS,
    registers: [this.registry],
  });

  readonly batchRequests = new Histogram({
    name: 'modelgate_batch_requests',
    help: 'Requests answered by one ONNX Runtime run (adaptive batching), by model and version.',
    labelNames: ['model', 'version'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly batchRows = new Histogram({
    name: 'modelgate_batch_rows',
    help: 'Rows in one ONNX Runtime run (adaptive batching), by model and version.',
    labelNames: ['model', 'version'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096],
    registers: [this.registry],
  });

  readonly instancesPerRequest = new Histogram({
    name: 'modelgate_instances_per_request',
    help: 'Instances (rows) in each predict request, by model.',
    labelNames: ['model'] as const,
    buckets: INSTANCE_BUCKETS,
    registers: [this.registry],
  });

  readonly modelLoaded = new Gauge({
    name: 'modelgate_model_loaded',
    help: '1 while a model version is loaded and warmed in this process, 0 once unloaded.',
    labelNames: ['model', 'version'] as const,
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly modelReady = new Gauge({
    name: 'modelgate_model_ready',
    help: "1 when the model's production version is loaded and warmed, 0 when it cannot serve.",
    labelNames: ['model'] as const,
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly artifactLoadFailures = new Counter({
    name: 'modelgate_artifact_load_failures_total',
    help: 'Versions that failed to load, by model, version and problem code (e.g. ARTIFACT_INTEGRITY_FAILED).',
    labelNames: ['model', 'version', 'code'] as const,
    registers: [this.registry],
  });

  readonly artifactIntegrity = new Gauge({
    name: 'modelgate_artifact_integrity_ok',
    help: 'Per loaded version: 1 when its stored artifact still has its registered SHA-256 at the last re-hash (periodic, and before a promote or rollback to it), 0 when it changed or went missing.',
    labelNames: ['model', 'version'] as const,
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly validationFailures = new Counter({
    name: 'modelgate_validation_failures_total',
    help: 'Requests refused as invalid (4xx other than auth and rate limits), by problem code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'modelgate_rate_limited_requests_total',
    help: 'Requests refused with 429, by route class (predict, read, admin).',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly authThrottled = new Counter({
    name: 'modelgate_auth_throttled_requests_total',
    help: 'Requests refused with 429 before authentication because their client address failed authentication too often (AUTH_THROTTLED).',
    registers: [this.registry],
  });

  readonly idempotencyReplays = new Counter({
    name: 'modelgate_idempotency_replays_total',
    help: 'Requests answered from the Idempotency-Key store instead of running again, by route pattern.',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  readonly rolloutActive = new Gauge({
    name: 'modelgate_rollout_active',
    help: '1 while a rollout of the model runs or is paused; labels name the candidate and the strategy.',
    labelNames: ['model', 'candidate', 'strategy', 'state'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly rolloutCandidateWeight = new Gauge({
    name: 'modelgate_rollout_candidate_weight_percent',
    help: "Share of the model's live traffic the candidate answers in the current step (0 in shadow and smoke steps).",
    labelNames: ['model'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly rolloutLeader = new Gauge({
    name: 'modelgate_rollout_leader',
    help: 'Whether this replica holds the rollout controller lease and so decides rollouts (1) or not (0); exactly one replica of a cluster should show 1.',
    registers: [this.registry],
  });

  readonly rolloutDecisions = new Counter({
    name: 'modelgate_rollout_decisions_total',
    help: 'Analysis decisions of rollouts, by model, verdict (pass, fail, inconclusive, n/a) and action.',
    labelNames: ['model', 'verdict', 'action'] as const,
    registers: [this.registry],
  });

  readonly rolloutsEnded = new Counter({
    name: 'modelgate_rollouts_ended_total',
    help: 'Rollouts that ended, by model and final state (promoted, rolled_back, aborted).',
    labelNames: ['model', 'state'] as const,
    registers: [this.registry],
  });

  readonly driftPsi = new Gauge({
    name: 'modelgate_drift_psi',
    help: 'Population Stability Index of a feature: live window against the version reference profile (absent until the window has enough rows).',
    labelNames: ['model', 'version', 'feature'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly driftVerdict = new Gauge({
    name: 'modelgate_drift_verdict',
    help: 'Drift verdict of a feature: 1 for the current one (insufficient_data, ok, watch or drift), absent for the others.',
    labelNames: ['model', 'version', 'feature', 'verdict'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly predictionDriftPsi = new Gauge({
    name: 'modelgate_prediction_drift_psi',
    help: 'Population Stability Index of the model output (positive-class probability, label or value) against the reference profile.',
    labelNames: ['model', 'version'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly predictionDriftVerdict = new Gauge({
    name: 'modelgate_prediction_drift_verdict',
    help: 'Drift verdict of the model output: 1 for the current one, absent for the others.',
    labelNames: ['model', 'version', 'verdict'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly driftWindowRows = new Gauge({
    name: 'modelgate_drift_window_rows',
    help: 'Predicted rows in the live drift window of a version with a reference profile.',
    labelNames: ['model', 'version'] as const,
    aggregator: 'max',
    registers: [this.registry],
  });

  readonly databaseUp = new Gauge({
    name: 'modelgate_database_up',
    help: '1 while the database answers, 0 while it is known to be unreachable (a failed query or probe); admin calls answer 503 meanwhile, predictions go on.',
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly redisUp = new Gauge({
    name: 'modelgate_redis_up',
    help: '1 while Redis (rate-limit counters) is connected and its last command succeeded, 0 otherwise. Exported only when Redis is configured.',
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly redisErrors = new Counter({
    name: 'modelgate_redis_errors_total',
    help: 'Redis calls that failed: refused, not answered within the command timeout, or skipped while the connection is down or just timed out.',
    registers: [this.registry],
  });

  readonly rateLimitFailOpen = new Counter({
    name: 'modelgate_rate_limit_fail_open_total',
    help: 'Requests let through without their rate-limit check because Redis did not answer (fail open), by limit (principal, failed_auth).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly observerErrors = new Counter({
    name: 'modelgate_observer_errors_total',
    help: 'Data-plane observers (metrics, stats, rollout windows, drift, prediction log) that threw while reading an answered request, by observer. The answer was not affected.',
    labelNames: ['observer'] as const,
    registers: [this.registry],
  });

  readonly changePropagation = new Histogram({
    name: 'modelgate_change_propagation_seconds',
    help: 'Time from a change being recorded (promote, rollback, alias, version, keys, rollout; by any replica) to this replica having applied it, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly changeNotificationsConnected = new Gauge({
    name: 'modelgate_change_notifications_connected',
    help: '1 while this replica listens for change notifications (PostgreSQL LISTEN), 0 while it reconnects; changes then arrive by polling (changePollMs). Always 0 on SQLite.',
    aggregator: 'min',
    registers: [this.registry],
  });

  readonly memoryBytes = new Gauge({
    name: 'modelgate_memory_bytes',
    help: 'Bytes held by a bounded in-memory structure (prediction_log, idempotency, drift_held), approximately.',
    labelNames: ['structure'] as const,
    registers: [this.registry],
  });

  readonly memoryDropped = new Counter({
    name: 'modelgate_memory_dropped_total',
    help: 'Entries dropped from a bounded in-memory structure because it was full (prediction_log: rows never written, idempotency: records forgotten early, drift_held: rows not counted in drift).',
    labelNames: ['structure'] as const,
    registers: [this.registry],
  });

  readonly predictionLogDeleted = new Counter({
    name: 'modelgate_prediction_log_deleted_total',
    help: 'Prediction log rows deleted by retention, by reason (age, rows).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly workerRequests = new Counter({
    name: 'modelgate_worker_requests_total',
    help: 'HTTP requests answered by each worker process of `serve --workers N`, by worker slot (1..N, kept across restarts). Exported only with more than one worker.',
    labelNames: ['worker'] as const,
    registers: [this.registry],
  });

  readonly workers = new Gauge({
    name: 'modelgate_workers',
    help: 'Worker processes serving (`serve --workers N`), as the primary counts them. Exported only with more than one worker.',
    registers: [this.registry],
  });

  readonly workerRestarts = new Counter({
    name: 'modelgate_worker_restarts_total',
    help: 'Worker processes the primary started again after one exited unexpectedly (crash, kill). Exported only with more than one worker.',
    registers: [this.registry],
  });

  readonly buildInfo = new Gauge({
    name: 'modelgate_build_info',
    help: 'Always 1; labels carry the modelgate and Node.js versions.',
    labelNames: ['version', 'node'] as const,
    aggregator: 'first',
    registers: [this.registry],
  });

  /**
   * `role` says which process exports what (docs/adr/0015): `single` (one process: today's set),
   * `worker` (adds its per-worker request count) or `primary` (only the worker count and restarts,
   * beside its process metrics; every other series comes from the workers, and a primary's
   * unset gauges would spoil their `min` aggregation).
   */
  constructor(version: string, role: 'single' | 'worker' | 'primary' = 'single') {
    // process_* and nodejs_* (CPU, memory, handles, GC, event loop lag) under their standard names
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    // gauges that prom-client names with a counter's `_total` suffix (promtool refuses them); the
    // same numbers remain, by type, in nodejs_active_handles / _requests / _resources
    for (const name of [
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_active_resources_total',
    ]) {
      this.registry.removeSingleMetric(name);
    }
    this.buildInfo.set({ version, node: process.version }, 1);
    const primaryOnly = new Set(['modelgate_workers', 'modelgate_worker_restarts_total']);
    for (const m of this.catalogue()) {
      const keep =
        role === 'primary'
          ? primaryOnly.has(m.name)
          : !primaryOnly.has(m.name) && (role === 'worker' || m.name !== 'modelgate_worker_requests_total');
      if (!keep) this.registry.removeSingleMetric(m.name);
    }
  }

  /** Names and help of modelgate's own metrics (not the process defaults). */
  catalogue(): Array<{ name: string; type: string; help: string; labels: string[] }> {
    return Object.values(this)
      .filter(
        (m): m is Counter | Gauge | Histogram =>
          m instanceof Counter || m instanceof Gauge || m instanceof Histogram,
      )
      .map((m) => {
        const inner = m as unknown as { name: string; help: string; labelNames: string[] };
        const type = m instanceof Counter ? 'counter' : m instanceof Gauge ? 'gauge' : 'histogram';
        return { name: inner.name, type, help: inner.help, labels: [...inner.labelNames] };
      });
  }
}

/**
 * The children of a labelled metric, each looked up once: prom-client hashes the label object on
 * every `inc({...})` / `observe({...})`, which the request path pays several times per request.
 * For label sets with few values (routes, methods, statuses, model versions).
 */
export class Children<T> {
  readonly #byKey = new Map<string, T>();

  constructor(private readonly child: (...values: string[]) => T) {}

  of(...values: string[]): T {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let c = this.#byKey.get(key);
    if (c === undefined) {
      c = this.child(...values);
      this.#byKey.set(key, c);
    }
    return c;
  }
}
