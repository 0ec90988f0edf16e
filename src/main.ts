import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config-schema.js';
import type { AppServices } from './http/app-services.js';
import { buildApp } from './http/build-app.js';
import { registerFromManifestFile } from './modules/registry/register-from-files.js';
import { RegistryService } from './modules/registry/registry-service.js';
import { SqlRegistryStore } from './modules/registry/sql-registry-store.js';
import { ArtifactCollector } from './modules/registry/artifact-collector.js';
import { LifecycleService } from './modules/registry/lifecycle-service.js';
import { SqlActiveRolloutVersions } from './modules/registry/sql-active-rollout-versions.js';
import { SqlLifecycleStore } from './modules/registry/sql-lifecycle-store.js';
import { ApiKeyService } from './modules/security/api-key-service.js';
import { SqlApiKeyStore } from './modules/security/api-key-store.js';
import { CachedApiKeyStore } from './modules/security/cached-api-key-store.js';
import { MemoryFailedAuthStore } from './modules/security/failed-auth-store.js';
import { RedisFailedAuthStore } from './modules/security/redis-failed-auth-store.js';
import { Authenticator } from './modules/security/authenticator.js';
import { JwtVerifier } from './modules/security/jwt-verifier.js';
import { SqlAuditReader } from './modules/audit/audit.js';
import type { IdempotencyStore } from './modules/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from './modules/idempotency/memory-idempotency-store.js';
import { SqlIdempotencyStore } from './modules/idempotency/sql-idempotency-store.js';
import { PredictService } from './modules/serving/predict-service.js';
import { RuntimePool } from './modules/serving/runtime-pool.js';
import { ServingService } from './modules/serving/serving-service.js';
import { ArtifactIntegrityCheck } from './modules/serving/artifact-integrity.js';
import { versionLoader } from './modules/serving/version-loader.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import type { OutboundPolicy } from './shared/outbound-url.js';
import { VERSION } from './shared/version.js';
import { startMallocTrim } from './shared/malloc-trim.js';
import { Rollouts } from './modules/rollouts/rollouts.js';
import { SqlRolloutStore } from './modules/rollouts/sql-rollout-store.js';
import { WebhookNotifier } from './modules/rollouts/webhooks.js';
import { windowProblem } from './modules/rollouts/windows.js';
import {
  DEFAULT_PREDICTION_LOG_OPTIONS,
  PredictionLog,
  predictionLogObserver,
  kyselyPredictionInsert,
  threadedSqlitePredictionInsert,
} from './modules/feedback/prediction-log.js';
import { PredictionRetention } from './modules/feedback/prediction-retention.js';
import { FeedbackService } from './modules/feedback/feedback-service.js';
import { Observability } from './observability/observability.js';
import { DriftWorker } from './modules/monitoring/drift-assessor.js';
import { DriftMonitor } from './modules/monitoring/drift-monitor.js';
import { parseWindowSpec } from './modules/monitoring/window-spec.js';
import { SqlDriftWindowStore } from './modules/monitoring/drift-window-store.js';
import { SqlEvaluationStore } from './modules/quality/evaluation-store.js';
import { EvaluationService } from './modules/quality/evaluation-service.js';
import { PromotionGate } from './modules/quality/promotion-gate.js';
import { ReadinessService } from './modules/quality/readiness-service.js';
import { parsePromotionPolicy } from './modules/quality/promotion-policy.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { cleanStaging, type BlobStore } from './store/blob-store.js';
import { openDatabase, type DatabaseHandle } from './store/database.js';
import { FileBlobStore } from './store/file-blob-store.js';
import { migrate } from './store/migrate.js';
import { PgBlobStore } from './store/pg-blob-store.js';
import { ChangeFollower } from './store/change-follower.js';
import { AnswerObservers } from './modules/serving/answer.js';
import { recordChangeAlone, SqlChangeLog } from './store/change-log.js';
import { PgChangeSignal } from './store/pg-change-signal.js';
import { retryWhileDatabaseUnavailable } from './wait-for-database.js';
import { SqliteChangeSignal } from './store/sqlite-change-signal.js';
import type { SharedRateLimits } from './http/hardening.js';
import type { WorkerRole } from './workers/worker-channel.js';
import { DEMO_DIR } from './demo-dir.js';

export { DEMO_DIR };

export interface Runtime {
  services: AppServices;
  db: DatabaseHandle;
  blobs: BlobStore;
  /** Applies changes made through other replicas (ADR 0010). */
  changes: ChangeFollower;
  /** Marks the server as shutting down: `/ready` answers 503, answers carry `Connection: close`. */
  beginShutdown(): void;
  /** Frees sessions and connections; the HTTP server must be closed first. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Where spans go (tests); by default OTLP when configured, else nowhere. */
  spanExporter?: SpanExporter;
  clock?: Clock;
  /** PostgreSQL schema (tests isolate themselves). */
  pgSchema?: string;
  /** Run the rollout loops (tick, publish, lease) on timers; false: a test drives them. */
  rolloutLoops?: boolean;
  /**
   * This process is one worker of `serve --workers N` (docs/adr/0015): state that one process
   * keeps in memory is shared (idempotency records and drift windows through the database, rate
   * limits through the primary), and only the first worker migrates.
   */
  worker?: WorkerRole;
}

/**
 * The composition root: config → store (migrated) → services. The only place that constructs
 * services; everything else receives what it needs.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  // before anything is opened: a refused JWKS URL stops the start with nothing to clean up
  const jwt = jwtVerifier(config);
  const webhookUrls = config.rolloutWebhookUrls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const notifier =
    webhookUrls.length > 0
      ? new WebhookNotifier({
          urls: webhookUrls,
          ...(config.rolloutWebhookSecret ? { secret: config.rolloutWebhookSecret } : {}),
          format: config.rolloutWebhookFormat,
          outbound: outboundPolicy(config),
          logger,
        })
      : undefined;
  const home = resolve(config.home);
  mkdirSync(home, { recursive: true });
  const leftovers = await cleanStaging(join(home, 'staging'));
  if (leftovers.files > 0) logger.info(leftovers, 'removed uploads interrupted before this start');

  const open = (statementMs: number, poolSize: number) =>
    openDatabase({
      databaseUrl: config.databaseUrl,
      home,
      poolSize,
      ...(options.pgSchema ? { pgSchema: options.pgSchema } : {}),
      timeouts: {
        connectMs: config.databaseConnectTimeoutMs,
        statementMs,
        idleInTransactionMs: config.databaseIdleInTransactionTimeoutMs,
      },
      logger,
    });
  // PostgreSQL migrations on a connection of their own without a statement timeout: an index built
  // on a large table may take minutes, and must not be cut off (and retried) at every start
  const { worker } = options;
  // a worker other than the first finds the schema migrated: the first one's start did it
  const migrating = !worker || worker.first;
  const migrations = config.databaseUrl && migrating ? open(0, 1) : undefined;
  const db = open(config.databaseStatementTimeoutMs, config.databasePoolSize);
  try {
    const applied = migrating ? await migrate(migrations ?? db, undefined, () => clock.now()) : [];
    if (applied.length > 0) logger.info({ applied, database: db.location }, 'database migrated');
  } catch (err) {
    await db.close();
    throw err;
  } finally {
    await migrations?.close();
  }
  const blobs: BlobStore =
    db.dialect === 'postgres'
      ? new PgBlobStore(db.db, () => clock.now())
      : new FileBlobStore(join(home, 'artifacts'));
  const registryStore = new SqlRegistryStore(db.db, db.dialect, clock);
  const observability = new Observability(
    VERSION,
    {
      serviceName: config.otelServiceName,
      ...(config.otelExporterOtlpEndpoint ? { otlpEndpoint: config.otelExporterOtlpEndpoint } : {}),
      ...(options.spanExporter ? { exporter: options.spanExporter } : {}),
    },
    worker?.slot,
  );
  if (worker) {
    observability.scrapeWith(() => worker.channel.scrape());
    worker.channel.serveCollect(() => observability.metrics.registry.getMetricsAsJSON());
  }
  // cluster-wide rate limits and failed-authentication throttle when Redis is configured
  // (ioredis loads only then: an embedded server never pays for it)
  const redis = config.redisUrl
    ? await (await import('./redis-limits.js')).openRedisLimits(config, logger, observability.metrics)
    : undefined;
  observability.bindRedis(redis ? () => redis.counter.up : undefined);
  // without Redis, the workers of one server share windows through their primary: one budget, not N
  const workerLimits = !redis && worker ? primaryLimits(worker, config, observability) : undefined;
  const pool = new RuntimePool(
    versionLoader(
      blobs,
      config.inferenceThreads,
      { maxRows: config.batchMaxRows, maxWaitMs: config.batchMaxWaitMs },
      observability.observeBatch,
    ),
    config.maxLoadedVersions,
    logger,
    observability.observeLoadFailure,
  );
  const serving = new ServingService({
    store: registryStore,
    blobs,
    pool,
    onIntegrity: (result) => observability.observeIntegrity([result]),
    threads: config.inferenceThreads,
    logger,
  });
  const registry = new RegistryService({
    store: registryStore,
    blobs,
    serving,
    hints: {
      warm: (model, version) =>
        recordChangeAlone(db.db, { kind: 'warm', model, version, at: clock.now().toISOString() }),
    },
    clock,
    logger,
    maxReferenceBytes: config.maxDataBytes,
  });
  const keyStore = new CachedApiKeyStore(
    new SqlApiKeyStore(db.db, clock),
    clock,
    config.authCacheTtlMs,
    config.authNegativeCacheTtlMs,
  );
  let shuttingDown = false;
  // each worker is a replica of its own in the lease and the published windows
  const replicaId =
    config.replicaId !== undefined && worker
      ? `${config.replicaId}-w${worker.slot}`
      : (config.replicaId ?? `${hostname()}-${process.pid}`);
  const rollouts = new Rollouts({
    store: new SqlRolloutStore(db.db, db.dialect),
    registry: registryStore,
    promote: (model, version, actor) => registry.promote(model, version, actor),
    prepare: async (model, version) => {
      const v = await registryStore.getVersion(model, version);
      if (!v) throw new Error(`version ${model}@${version} vanished`);
      await serving.prepare(v);
    },
    clock,
    logger,
    replicaId,
    leaderLeaseMs: config.leaderLeaseMs,
    replicaStaleMs: config.clusterReplicaStaleMs,
    windowProblem: (now) => windowProblem(config.rolloutWindows, config.rolloutFreezes, now),
    onDecision: observability.observeRolloutDecision,
    notify: (e) => {
      observability.observeRolloutEvent(e);
      notifier?.send(e);
    },
  });
  // embedded: the inserts run in a thread of their own (its own connection to the same file)
  const predictionWriter = db.dialect === 'sqlite' ? threadedSqlitePredictionInsert(db.location) : undefined;
  const predictionLog = new PredictionLog(
    db.db,
    clock,
    logger,
    { ...DEFAULT_PREDICTION_LOG_OPTIONS, maxQueueBytes: config.predictionLogMaxQueueBytes },
    observability.dropped('prediction_log'),
    predictionWriter ?? kyselyPredictionInsert(db.db),
  );
  const retention = new PredictionRetention(
    db.db,
    clock,
    logger,
    {
      maxAgeMs: config.predictionLogMaxAgeHours * 3_600_000,
      maxRows: config.predictionLogMaxRows,
      batchSize: 1000,
    },
    (reason, rows) => observability.metrics.predictionLogDeleted.inc({ reason }, rows),
  );
  const predict = new PredictService(serving, registryStore, config.inferenceTimeoutMs, rollouts);
  // Idempotency-Key records: shared through the database in cluster mode and between workers, in
  // memory in one embedded process
  let purgeTimer: NodeJS.Timeout | undefined;
  let idempotency: IdempotencyStore;
  /** bytes held by the bounded in-memory structures, for the memory gauge */
  const memory: Record<string, () => number> = { prediction_log: () => predictionLog.bytes };
  // several processes share the database (replicas, or the workers of one server)
  const shared = db.dialect === 'postgres' || worker !== undefined;
  if (shared) {
    const sqlStore = new SqlIdempotencyStore(db.db);
    purgeTimer = setInterval(() => {
      sqlStore
        .purgeExpired(clock.nowMs())
        .catch((err: unknown) => logger.warn({ err }, 'idempotency purge failed'));
    }, 600_000).unref();
    idempotency = sqlStore;
  } else {
    const memoryStore = new MemoryIdempotencyStore(
      { maxBytes: config.idempotencyMemoryMaxBytes },
      observability.dropped('idempotency'),
    );
    memory.idempotency = () => memoryStore.bytes;
    idempotency = memoryStore;
  }

  const driftWorker = new DriftWorker();
  const drift = new DriftMonitor({
    assess: driftWorker.assess,
    sources: registryStore,
    window: parseWindowSpec(config.driftWindow),
    options: {
      minSamples: config.driftMinSamples,
      psiWatch: config.driftPsiWatch,
      psiAct: config.driftPsiAct,
      alpha: config.driftAlpha,
    },
    clock,
    logger,
    heldMaxBytes: config.driftHeldMaxBytes,
    onDropped: observability.dropped('drift_held'),
    // several replicas (or workers) share the database: drift describes all of their traffic
    ...(shared
      ? {
          cluster: {
            store: new SqlDriftWindowStore(db.db),
            replicaId,
            staleMs: config.clusterReplicaStaleMs,
          },
        }
      : {}),
  });
  const evaluationStore = new SqlEvaluationStore(db.db);
  const evaluations = new EvaluationService({
    store: evaluationStore,
    registry,
    load: (model, version) => predict.resolve(model, version),
    clock,
  });
  const promotion = new PromotionGate({
    rules: parsePromotionPolicy(config.promotionPolicy),
    evaluations: evaluationStore,
    registry,
    db: db.db,
    clock,
  });
  const lifecycleStore = new SqlLifecycleStore(db.db, db.dialect);
  const activeRollouts = new SqlActiveRolloutVersions(db.db);
  const lifecycle = new LifecycleService({
    registry: registryStore,
    store: lifecycleStore,
    rollouts: activeRollouts,
    clock,
    logger,
  });
  const collector = new ArtifactCollector({
    registry: registryStore,
    store: lifecycleStore,
    rollouts: activeRollouts,
    blobs,
    clock,
    logger,
  });
  // the data plane: told in this order after each inference answer (ADR 0016)
  const answers = new AnswerObservers((observer, err) => {
    observability.metrics.observerErrors.inc({ observer });
    logger.error({ err, observer }, 'data-plane observer failed');
  })
    .add(observability.predictionMetrics)
    .add(observability.trafficStats)
    .add(rollouts.armWindows)
    .add(drift.answers);
  if (config.predictionLog) answers.add(predictionLogObserver(predictionLog, config.storePredictionInputs));
  const services: AppServices = {
    config,
    logger,
    clock,
    registry,
    serving,
    predict,
    answers,
    keys: new ApiKeyService(keyStore, clock),
    auth: new Authenticator(keyStore, config.adminKey ? { key: config.adminKey } : undefined, jwt),
    failedAuth: redis
      ? new RedisFailedAuthStore(redis.counter)
      : workerLimits
        ? new RedisFailedAuthStore(workerLimits.counter)
        : new MemoryFailedAuthStore(),
    ...(redis ? { sharedLimits: redis.limits } : workerLimits ? { sharedLimits: workerLimits } : {}),
    idempotency,
    audit: new SqlAuditReader(db.db),
    observability,
    rollouts,
    predictionLog,
    drift,
    evaluations,
    promotion,
    lifecycle,
    collector,
    readiness: new ReadinessService({
      registry,
      evaluations,
      promotion,
      load: (model, version) => predict.resolve(model, version),
      windowProblem: (now) => windowProblem(config.rolloutWindows, config.rolloutFreezes, now),
      clock,
    }),
    feedback: new FeedbackService(
      db.db,
      predictionLog,
      registryStore,
      clock,
      (id, variant, correct) => rollouts.recordFeedback(id, variant, correct),
      // a prediction answered by another worker or replica is written within its flush interval
      2 * DEFAULT_PREDICTION_LOG_OPTIONS.flushMs,
    ),
    stagingDir: join(home, 'staging'),
    database: db.status,
    shuttingDown: () => shuttingDown,
  };
  const changes = changeFollower(config, options, db, logger, clock, observability);
  changes
    .on('aliases', (c) => serving.refresh(c.model!))
    .on('version', async (c) => {
      await serving.refresh(c.model!);
      await lifecycle.reload();
    })
    .on('warm', (c) => serving.warm(c.model!, c.version!))
    .on('keys', () => keyStore.revalidate())
    .on('rollout', () => rollouts.refresh())
    .onReconcile(async () => {
      await serving.reconcile();
    })
    .onReconcile(() => keyStore.revalidate());
  const integrity = new ArtifactIntegrityCheck({
    loaded: () => serving.loaded(),
    versions: registryStore,
    blobs,
    logger,
    onRun: observability.observeIntegrity,
  });
  // set once the start succeeded; close() may run before that (a start that failed half-way)
  const timers: Partial<Record<'rollouts' | 'publish' | 'lease' | 'integrity', NodeJS.Timeout>> = {};
  const runtime: Runtime = {
    services,
    db,
    blobs,
    changes,
    beginShutdown() {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await changes.close();
      clearInterval(purgeTimer);
      clearInterval(timers.rollouts);
      clearInterval(timers.publish);
      clearInterval(timers.lease);
      clearInterval(timers.integrity);
      // another replica may lead at once rather than after the lease expires
      await rollouts.close().catch((err: unknown) => logger.warn({ err }, 'rollout lease release failed'));
      await integrity.close();
      await pool.close();
      await retention.stop();
      await predictionLog.close();
      await predictionWriter?.close();
      await notifier?.drain();
      await driftWorker.close();
      await observability.close();
      await redis?.close();
      await db.close();
    },
  };
  try {
    observability.bindServing(serving);
    observability.bindDatabase(db.status);
    observability.bindMemory({ ...memory, drift_held: () => drift.heldBytes });
    // before the first read of the aliases: a change committed in between is replayed, not lost
    await changes.begin();
    await serving.syncAll();
    observability.bindRollouts(
      () => rollouts.allActive(),
      () => rollouts.lease.isLeader(),
    );
    observability.bindDrift(() => drift.latest(config.driftMetricsMaxAgeSeconds * 1000));
    await rollouts.load();
    await lifecycle.reload();
  } catch (err) {
    // e.g. the database went away after the migration: free what was opened, the start is retried
    await runtime.close();
    throw err;
  }
  changes.start();
  // three loops, all safe to miss a beat (the database may be away): the controller tick (publish,
  // refresh routing, renew the lease, decide when leading), the window publish, the lease renewal
  const quietly = (what: string, p: () => Promise<void>) => () =>
    void p().catch((err: unknown) => logger.warn({ err }, `${what} failed; trying again`));
  if (options.rolloutLoops !== false) {
    timers.rollouts = setInterval(
      quietly('rollout tick', () => rollouts.tick()),
      config.rolloutTickMs,
    ).unref();
    timers.publish = setInterval(
      quietly('window publish', async () => {
        await rollouts.publish(); // with the heartbeat that keeps this replica's windows fresh
        await drift.publish();
      }),
      config.clusterPublishMs,
    ).unref();
    timers.lease = setInterval(
      quietly('rollout lease renewal', async () => void (await rollouts.lease.claim())),
      Math.max(100, Math.floor(config.leaderLeaseMs / 3)),
    ).unref();
  }
  if (config.integrityCheckIntervalSeconds > 0) {
    timers.integrity = setInterval(() => {
      integrity.run().catch((err: unknown) => logger.error({ err }, 'integrity check failed'));
    }, config.integrityCheckIntervalSeconds * 1000).unref();
  }
  retention.start(config.predictionLogRetentionIntervalSeconds * 1000);
  return runtime;
}

/** Follows the change log: by polling, and on PostgreSQL also woken by LISTEN/NOTIFY (ADR 0010). */
function changeFollower(
  config: Config,
  options: RuntimeOptions,
  db: DatabaseHandle,
  logger: Logger,
  clock: Clock,
  observability: Observability,
): ChangeFollower {
  const { metrics } = observability;
  metrics.changeNotificationsConnected.set(0);
  const signal =
    db.dialect === 'postgres' && config.databaseUrl
      ? new PgChangeSignal({
          url: config.databaseUrl,
          pgSchema: options.pgSchema,
          connectTimeoutMs: config.databaseConnectTimeoutMs,
          backoff: { initialMs: 250, maxMs: 5_000 },
          logger,
          onConnected: (connected) => metrics.changeNotificationsConnected.set(connected ? 1 : 0),
        })
      : db.dataVersion && options.worker
        ? new SqliteChangeSignal(db.dataVersion)
        : undefined;
  return new ChangeFollower({
    source: new SqlChangeLog(db.db),
    signal,
    clock,
    logger,
    pollMs: config.changePollMs,
    reconcileMs: config.reconcileIntervalMs,
    onApplied: (change, seconds) => metrics.changePropagation.observe({ kind: change.kind }, seconds),
  });
}

/** A worker's rate limits and failed-auth throttle, in windows shared with the other workers. */
function primaryLimits(worker: WorkerRole, config: Config, observability: Observability): SharedRateLimits {
  return {
    counter: worker.channel.counter,
    failOpen: config.rateLimitFailOpen,
    onFailOpen: () => observability.metrics.rateLimitFailOpen.inc({ limit: 'principal' }),
  };
}

/** The outbound URL policy every user-supplied URL (JWKS, webhooks) goes through. */
export function outboundPolicy(config: Config): OutboundPolicy {
  return {
    schemes: config.outboundAllowHttp ? ['https', 'http'] : ['https'],
    allowPrivateNetworks: config.outboundAllowPrivateNetworks,
  };
}

function jwtVerifier(config: Config): JwtVerifier | undefined {
  if (!config.jwtJwksUrl && !config.jwtPublicKey) return undefined;
  return new JwtVerifier({
    ...(config.jwtJwksUrl ? { jwksUrl: config.jwtJwksUrl } : {}),
    ...(config.jwtPublicKey ? { publicKeyPem: config.jwtPublicKey } : {}),
    issuer: config.jwtIssuer!,
    audience: config.jwtAudience!,
    algorithms: config.jwtAlgorithms.split(','),
    clockSkewSeconds: config.jwtClockSkewSeconds,
    scopePrefix: config.jwtScopePrefix,
    jwksCooldownMs: config.jwtJwksCooldownMs,
    outbound: outboundPolicy(config),
  });
}

export interface RunningServer {
  app: FastifyInstance;
  runtime: Runtime;
  url: string;
  /**
   * The port given to listen(): the configured one (0 picks a free one) or the one the bootstrap
   * server answered on while waiting for the database. Other workers of `serve --workers N`
   * listen with the same value, which node:cluster maps to the same shared socket.
   */
  listenPort: number;
  /** The admin key generated at this start (first start without any key), to print once. */
  generatedAdminKey?: string;
  /** Stops taking requests, waits for in-flight ones (up to shutdownTimeoutMs), frees everything. */
  close(): Promise<void>;
  /**
   * The stop for SIGTERM behind a load balancer: `/ready` answers 503 at once and every answer
   * carries `Connection: close`, but requests are still served for `drainMs` (the time a load
   * balancer's health checks take to mark this replica down), then close(). Aborting `skip` (a
   * second signal) ends the drain early. Resolves when everything is freed.
   */
  drainAndClose(drainMs: number, skip?: AbortSignal): Promise<void>;
}

export async function startServer(
  config: Config,
  options: RuntimeOptions & {
    demo?: boolean;
    /** Called with the app before it listens (tests add hooks, e.g. contract checks). */
    instrument?: (app: FastifyInstance) => void;
    /** Called when the database cannot be reached at start, with the URL answering /health and /ready meanwhile. */
    onWaiting?: (url: string, reason: string) => void;
    /** Aborts a start that is still waiting for the database. */
    signal?: AbortSignal;
  } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // kept across attempts: a key created by an attempt that failed later must still be shown once
  let generatedAdminKey: string | undefined;
  const {
    value: { runtime, app },
    bootstrap,
  } = await retryWhileDatabaseUnavailable(
    async () => {
      const runtime = await createRuntime(config, { ...options, logger });
      let app: FastifyInstance | undefined;
      try {
        // once per start: by the only process, or by the first of the workers
        const oneTime = !options.worker || options.worker.first;
        if (oneTime) generatedAdminKey ??= await ensureAdminKey(runtime.services);
        if (oneTime && options.demo) await installDemo(runtime.services);
        app = await buildApp(runtime.services);
        options.instrument?.(app);
        await app.ready();
        return { runtime, app };
      } catch (err) {
        await app?.close();
        await runtime.close();
        throw err;
      }
    },
    { config, logger, signal: options.signal, onWaiting: options.onWaiting },
  );
  const { services } = runtime;
  try {
    options.signal?.throwIfAborted();
    // the real app takes over the port the bootstrap server answered on (ADR 0009)
    await bootstrap?.close();
    const listenPort = bootstrap?.port ?? config.port;
    await app.listen({ host: config.host, port: listenPort });
    const trimmer = startMallocTrim(config.mallocTrimSeconds * 1000);
    logger.debug({ every_s: config.mallocTrimSeconds, running: trimmer.running }, 'malloc trim');
    const metricsServer = config.metricsPort > 0 ? await serveMetrics(services, config) : undefined;
    if (metricsServer)
      app.addHook('onClose', () => new Promise<void>((resolve) => metricsServer.close(() => resolve())));
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    let closing: Promise<void> | undefined;
    const stop = async (drainMs: number, skip?: AbortSignal) => {
      runtime.beginShutdown();
      trimmer.stop();
      if (drainMs > 0 && !skip?.aborted) {
        logger.info({ drain_ms: drainMs }, 'draining: /ready answers 503, requests are still served');
        const started = performance.now();
        await sleep(drainMs, undefined, skip ? { signal: skip } : {}).catch(() => undefined);
        logger.info(
          { drained_ms: Math.round(performance.now() - started) },
          'drain over: closing the listener',
        );
      }
      await shutdown(app, runtime, config.shutdownTimeoutMs);
    };
    return {
      app,
      runtime,
      url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
      listenPort,
      ...(generatedAdminKey ? { generatedAdminKey } : {}),
      close: () => (closing ??= stop(0)),
      drainAndClose: (drainMs, skip) => (closing ??= stop(drainMs, skip)),
    };
  } catch (err) {
    await app.close();
    await runtime.close();
    throw err;
  }
}

/** `/metrics` alone on its own port (no credentials): for a scrape from inside the cluster only. */
async function serveMetrics(services: AppServices, config: Config): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    services.observability.exposition().then(
      ({ contentType, text }) => res.writeHead(200, { 'content-type': contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, config.host, resolve);
  });
  return server;
}

async function shutdown(app: FastifyInstance, runtime: Runtime, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
    await runtime.close();
  }
}

/** With no configured admin key and no active key, the first start creates one (shown once). */
async function ensureAdminKey(services: AppServices): Promise<string | undefined> {
  if (services.config.adminKey) return undefined;
  if ((await services.keys.countActive()) > 0) return undefined;
  const { key } = await services.keys.create('bootstrap-admin', ['admin'], { id: 'system' });
  return key;
}

/** Registers the demo model's versions and promotes 1.0.0 when the model has no production version. */
async function installDemo(services: AppServices): Promise<void> {
  const actor = { id: 'system:demo' };
  for (const version of ['1.0.0', '1.1.0']) {
    await registerFromManifestFile(
      services.registry,
      join(DEMO_DIR, 'breast-cancer', version, 'manifest.yaml'),
      actor,
      services.stagingDir,
      services.config.maxArtifactBytes,
    );
  }
  const aliases = await services.registry.getAliases('breast-cancer');
  if (!aliases.production) await services.registry.promote('breast-cancer', '1.0.0', actor);
}
