import type { Answer, AnswerObserver } from '../modules/serving/answer.js';
import type { ServingService } from '../modules/serving/serving-service.js';
import type { Rollout, RolloutEvent } from '../modules/rollouts/types.js';
import type { DatabaseStatus } from '../store/database-health.js';
import { Children, Metrics } from './metrics.js';
import type { DriftReport } from '../modules/monitoring/drift-report-data.js';
import { TrafficStats } from './stats.js';
import { Tracing, type TracingOptions } from './tracing.js';

/** Problem codes counted as validation failures (the client sent something unacceptable). */
const VALIDATION_CODES = new Set([
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'FORBIDDEN_JSON_KEY',
  'JSON_LIMIT_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'IDEMPOTENCY_KEY_INVALID',
  'MANIFEST_INVALID',
]);

/** Metrics, traffic statistics and tracing of one app, fed by the HTTP layer and the services. */
export class Observability {
  readonly metrics: Metrics;
  readonly stats = new TrafficStats();
  readonly tracing: Tracing;
  readonly startedAt = Date.now();
  #seenVersions = new Set<string>();
  #integritySeries = new Set<string>();

  readonly #children: {
    predictions: Children<{ inc(): void }>;
    instances: Children<{ observe(value: number): void }>;
    inference: Children<{ observe(value: number): void }>;
    requests: Children<{ inc(): void }>;
    durations: Children<{ observe(value: number): void }>;
  };
  /** A worker of `serve --workers N`: counts its answered requests under its slot. */
  readonly workerRequest: { inc(): void } | undefined;
  #scrape: (() => Promise<string>) | undefined;

  constructor(
    version: string,
    tracing: Omit<TracingOptions, 'serviceVersion'>,
    /** the worker slot (1..N) of a worker of `serve --workers N`; undefined in one process */
    workerSlot?: number,
  ) {
    this.metrics = new Metrics(version, workerSlot === undefined ? 'single' : 'worker');
    const m = this.metrics;
    this.#children = {
      predictions: new Children((model, v, outcome) => m.predictions.labels(model, v, outcome)),
      instances: new Children((model) => m.instancesPerRequest.labels(model)),
      inference: new Children((model, v) => m.inferenceDuration.labels(model, v)),
      requests: new Children((route, method, status) => m.httpRequests.labels(route, method, status)),
      durations: new Children((route, method) => m.httpDuration.labels(route, method)),
    };
    this.tracing = new Tracing({ ...tracing, serviceVersion: version });
    this.workerRequest =
      workerSlot === undefined
        ? undefined
        : this.metrics.workerRequests.labels({ worker: String(workerSlot) });
  }

  /** In a worker: `/metrics` answers every worker's metrics, aggregated by the primary. */
  scrapeWith(scrape: () => Promise<string>): void {
    this.#scrape = scrape;
  }

  /** What `/metrics` answers: this process's registry, or the aggregate of every worker. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    const registry = this.metrics.registry;
    return { contentType: registry.contentType, text: await (this.#scrape?.() ?? registry.metrics()) };
  }

  /** Data-plane observer: predictions by outcome, rows per request and inference time, per attempt. */
  readonly predictionMetrics: AnswerObserver = {
    name: 'metrics',
    observe: (a: Answer): void => {
      const { predictions, instances, inference } = this.#children;
      for (const e of a.attempts) {
        predictions.of(e.model, e.version, e.outcome).inc();
        instances.of(e.model).observe(e.instances);
        if (e.inferenceMs !== undefined) inference.of(e.model, e.version).observe(e.inferenceMs / 1000);
      }
    },
  };

  /** For the HTTP layer: one request's count and duration by route, method and status. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.#children.requests.of(route, method, String(status)).inc();
    this.#children.durations.of(route, method).observe(seconds);
  }

  /** Data-plane observer: the sliding-window traffic statistics of the version that answered. */
  readonly trafficStats: AnswerObserver = {
    name: 'stats',
    observe: (a: Answer): void => {
      if (a.model !== undefined && a.version !== undefined)
        this.stats.record(a.model, a.version, a.latencyMs, a.status, a.atMs);
    },
  };

  /** For RuntimePool: a version that could not be loaded. */
  readonly observeLoadFailure = (model: string, version: string, code: string): void => {
    this.metrics.artifactLoadFailures.inc({ model, version, code });
  };

  /** A loaded version's run observer: requests and rows per ONNX Runtime run (adaptive batching). */
  readonly observeBatch = (model: string, version: string) => {
    const requests = this.metrics.batchRequests.labels({ model, version });
    const rows = this.metrics.batchRows.labels({ model, version });
    return (n: number, r: number): void => {
      requests.observe(n);
      rows.observe(r);
    };
  };

  /**
   * Re-hash outcomes of stored artifacts. With `loaded` (a periodic pass), versions no longer
   * loaded leave the gauge; a loaded version missing from `results` keeps its last value.
   */
  readonly observeIntegrity = (
    results: ReadonlyArray<{ model: string; version: string; ok: boolean }>,
    loaded?: ReadonlyArray<{ model: string; version: string }>,
  ): void => {
    const gauge = this.metrics.artifactIntegrity;
    const key = (v: { model: string; version: string }) => JSON.stringify([v.model, v.version]);
    if (loaded) {
      const keep = new Set(loaded.map(key));
      for (const k of this.#integritySeries) {
        if (keep.has(k)) continue;
        const [model, version] = JSON.parse(k) as [string, string];
        gauge.remove({ model, version });
        this.#integritySeries.delete(k);
      }
    }
    for (const r of results) {
      gauge.set({ model: r.model, version: r.version }, r.ok ? 1 : 0);
      this.#integritySeries.add(key(r));
    }
  };

  /** Problem answers: validation failures by code, rate limiting by route class, throttled failed auth. */
  observeProblem(code: string, routeClass: string | undefined): void {
    if (VALIDATION_CODES.has(code)) this.metrics.validationFailures.inc({ code });
    if (code === 'RATE_LIMITED') this.metrics.rateLimited.inc({ class: routeClass ?? 'none' });
    if (code === 'AUTH_THROTTLED') this.metrics.authThrottled.inc();
  }

  /** Loaded and ready gauges are read from serving at each scrape. */
  bindServing(serving: ServingService): void {
    const m = this.metrics;
    const seen = this.#seenVersions;
    (m.modelLoaded as unknown as { collect: () => void }).collect = () => {
      const now = new Set<string>();
      for (const model of serving.loaded()) {
        if (model.released) continue;
        const { model: name, version } = model.identity;
        now.add(JSON.stringify([name, version]));
      }
      for (const key of new Set([...seen, ...now])) {
        const [model, version] = JSON.parse(key) as [string, string];
        m.modelLoaded.set({ model, version }, now.has(key) ? 1 : 0);
        seen.add(key);
      }
    };
    (m.modelReady as unknown as { collect: () => void }).collect = () => {
      for (const model of serving.readiness().models) {
        m.modelReady.set({ model: model.name }, model.state === 'ready' ? 1 : 0);
      }
    };
  }

  /** The database gauge is read from the store's health at each scrape. */
  bindDatabase(status: DatabaseStatus): void {
    const gauge = this.metrics.databaseUp;
    (gauge as unknown as { collect: () => void }).collect = () => gauge.set(status.unavailable() ? 0 : 1);
  }

  /**
   * The Redis gauge reads the guarded counter at each scrape. Without Redis it is not exported at
   * all: a 0 would read as "Redis down" to an alert on a deployment that has none.
   */
  bindRedis(up: (() => boolean) | undefined): void {
    const gauge = this.metrics.redisUp;
    if (up === undefined) {
      this.metrics.registry.removeSingleMetric('modelgate_redis_up');
      return;
    }
    (gauge as unknown as { collect: () => void }).collect = () => gauge.set(up() ? 1 : 0);
  }

  /** Memory gauges are read from the bounded structures at each scrape. */
  bindMemory(structures: Record<string, () => number>): void {
    const gauge = this.metrics.memoryBytes;
    (gauge as unknown as { collect: () => void }).collect = () => {
      for (const [structure, bytes] of Object.entries(structures)) gauge.set({ structure }, bytes());
    };
  }

  /** For bounded in-memory structures: entries dropped because the structure was full. */
  readonly dropped =
    (structure: string) =>
    (entries: number): void =>
      this.metrics.memoryDropped.inc({ structure }, entries);

  /** Rollout gauges are read from the routing view and the lease at each scrape. */
  bindRollouts(active: () => Rollout[], leader: () => boolean): void {
    const m = this.metrics;
    (m.rolloutLeader as unknown as { collect: () => void }).collect = () =>
      m.rolloutLeader.set(leader() ? 1 : 0);
    (m.rolloutActive as unknown as { collect: () => void }).collect = () => {
      m.rolloutActive.reset();
      m.rolloutCandidateWeight.reset();
      for (const r of active()) {
        m.rolloutActive.set(
          { model: r.model, candidate: r.candidate, strategy: r.strategy, state: r.state },
          1,
        );
        const step = r.plan.steps[r.stepIndex];
        m.rolloutCandidateWeight.set(
          { model: r.model },
          step?.type === 'canary' && r.state === 'running' ? step.weight : 0,
        );
      }
    };
  }

  /**
   * Drift gauges are read from the monitor at each scrape (assessments no older than it allows).
   * prom-client collects all metrics concurrently, so every drift gauge waits for the one refresh
   * of this scrape before it is read.
   */
  bindDrift(latest: () => Promise<DriftReport[]>): void {
    const m = this.metrics;
    const gauges = [
      m.driftPsi,
      m.driftVerdict,
      m.predictionDriftPsi,
      m.predictionDriftVerdict,
      m.driftWindowRows,
    ];
    let refreshing: Promise<void> | undefined;
    const refresh = async () => {
      const reports = await latest();
      for (const g of gauges) g.reset();
      for (const r of reports) {
        const { model, version } = r;
        m.driftWindowRows.set({ model, version }, r.window.rows);
        for (const c of r.columns) {
          if (c === r.columns.at(-1)) {
            if (c.psi !== null) m.predictionDriftPsi.set({ model, version }, c.psi);
            m.predictionDriftVerdict.set({ model, version, verdict: c.verdict }, 1);
            continue;
          }
          if (c.psi !== null) m.driftPsi.set({ model, version, feature: c.feature }, c.psi);
          m.driftVerdict.set({ model, version, feature: c.feature, verdict: c.verdict }, 1);
        }
      }
    };
    const once = () =>
      (refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      }));
    for (const g of gauges) (g as unknown as { collect: () => Promise<void> }).collect = once;
  }

  readonly observeRolloutDecision = (r: Rollout, verdict: string, action: string): void => {
    this.metrics.rolloutDecisions.inc({ model: r.model, verdict, action });
  };

  readonly observeRolloutEvent = (e: RolloutEvent): void => {
    if (e.type === 'promoted' || e.type === 'rolled_back' || e.type === 'aborted') {
      this.metrics.rolloutsEnded.inc({ model: e.rollout.model, state: e.type });
    }
  };

  async close(): Promise<void> {
    await this.tracing.shutdown();
  }
}
