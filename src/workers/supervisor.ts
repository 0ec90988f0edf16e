import cluster, { type Worker } from 'node:cluster';
import type { Metrics } from '../observability/metrics.js';
import { backoffDelay, type BackoffPolicy } from '../shared/backoff.js';
import type { Logger } from '../shared/logger.js';
import { SharedWindows } from './shared-windows.js';
import { relayLines, type TextSink } from './line-relay.js';
import {
  isModelgateMessage,
  WORKER_ENV,
  type PrimaryMessage,
  type ReadyMessage,
  type WorkerMessage,
} from './messages.js';
import { PrimaryServices, type WorkerHandle } from './primary-services.js';

export interface SupervisorOptions {
  /** worker processes to run (≥ 2; one process serves without a primary) */
  count: number;
  logger: Logger;
  /** the primary's metrics (role `primary`): workers serving, restarts */
  metrics: Metrics;
  /** longest a stop waits for the workers (drain + shutdown) before it kills them */
  stopTimeoutMs: number;
  /** wait before starting a crashed worker again, growing while it keeps crashing */
  backoff?: BackoffPolicy;
  /** a worker that served this long before it exited restarts after the shortest wait again */
  stableMs?: number;
  /** where the workers' standard output and error go, whole lines at a time */
  stdout?: TextSink;
  stderr?: TextSink;
}

interface Slot {
  slot: number;
  worker: Worker | undefined;
  /** the worker as PrimaryServices talks to it */
  handle: WorkerHandle | undefined;
  serving: boolean;
  startedAt: number;
  failures: number;
  restart: NodeJS.Timeout | undefined;
}

/** A worker that exited before it served. */
export class WorkerStartError extends Error {
  constructor(
    readonly slot: number,
    readonly code: number | null,
    readonly signal: string | null,
  ) {
    super(`worker ${slot} exited (${signal ?? code}) before it served`);
  }
}

/**
 * The primary of `serve --workers N` (docs/adr/0015). It never loads a model or opens the
 * database: it forks the first worker, which does the start's one-time work (waits for the
 * database, migrates, registers the demo, creates the first admin key), then the others, which
 * join the first one's port (node:cluster hands connections out round-robin). It starts a worker
 * that dies again, after a backoff; it drains them all on SIGTERM, stops them quickly on SIGINT;
 * and it serves them the shared counter and the aggregated metrics (PrimaryServices).
 */
export class Supervisor {
  readonly #slots: Slot[];
  readonly #services: PrimaryServices;
  #port: number | undefined;
  #started = false;
  #stopping: Promise<number> | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.#slots = Array.from({ length: options.count }, (_, i) => ({
      slot: i + 1,
      worker: undefined,
      handle: undefined,
      serving: false,
      startedAt: 0,
      failures: 0,
      restart: undefined,
    }));
    this.#services = new PrimaryServices({
      // as bounded as the rate-limit plugin's own in-memory store
      windows: new SharedWindows(Date.now, 100_000),
      serving: () => this.#serving(),
      own: () => options.metrics.registry.getMetricsAsJSON(),
      collectTimeoutMs: 2000,
    });
    const gauge = options.metrics.workers;
    (gauge as unknown as { collect: () => void }).collect = () => gauge.set(this.#serving().length);
  }

  /** Starts every worker, the first alone; resolves with the first one's facts once all serve. */
  async start(): Promise<ReadyMessage> {
    cluster.setupPrimary({ silent: true });
    const [first, ...rest] = this.#slots;
    try {
      const ready = await this.#fork(first!, true);
      await Promise.all(rest.map((s) => this.#fork(s, false)));
      this.#started = true;
      return ready;
    } catch (err) {
      await this.stop('SIGINT');
      throw err;
    }
  }

  /**
   * SIGTERM: every worker drains (its /ready answers 503 while it still serves for
   * shutdownDrainMs) and exits; SIGINT: they stop at once. A second call skips what is left of the
   * drain. Resolves with the exit code for the primary: 0 when every worker ended cleanly.
   */
  stop(signal: 'SIGTERM' | 'SIGINT'): Promise<number> {
    if (this.#stopping) {
      for (const w of this.#live()) w.process.kill('SIGINT');
      return this.#stopping;
    }
    for (const s of this.#slots) clearTimeout(s.restart);
    this.#services.close();
    const live = this.#live();
    this.#stopping = (async () => {
      const exits = live.map(
        (w) =>
          new Promise<boolean>((resolve) => {
            if (w.process.exitCode !== null || w.process.signalCode !== null)
              return resolve(w.process.exitCode === 0);
            w.once('exit', (code) => resolve(code === 0));
          }),
      );
      for (const w of live) w.process.kill(signal);
      const deadline = setTimeout(() => {
        for (const w of this.#live()) {
          this.options.logger.error(
            { worker: w.id, pid: w.process.pid },
            'worker did not stop in time; killed',
          );
          w.process.kill('SIGKILL');
        }
      }, this.options.stopTimeoutMs);
      const clean = await Promise.all(exits);
      clearTimeout(deadline);
      return clean.every(Boolean) ? 0 : 1;
    })();
    return this.#stopping;
  }

  #serving(): WorkerHandle[] {
    return this.#slots.flatMap((s) => (s.serving && s.handle && s.worker?.isConnected() ? [s.handle] : []));
  }

  #live(): Worker[] {
    return this.#slots.flatMap((s) => (s.worker && s.worker.process.exitCode === null ? [s.worker] : []));
  }

  #fork(s: Slot, first: boolean): Promise<ReadyMessage> {
    const worker = cluster.fork({
      // two glibc malloc arenas instead of up to 8 per core: ONNX Runtime's, libuv's and V8's
      // threads each kept an arena of freed memory (-5 to -10 MB per worker, docs/adr/0011)
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
      [WORKER_ENV.slot]: String(s.slot),
      [WORKER_ENV.first]: first ? '1' : '',
      ...(this.#port !== undefined ? { [WORKER_ENV.port]: String(this.#port) } : {}),
    });
    const { stdout, stderr } = this.options;
    relayLines(worker.process.stdout!, stdout ?? process.stdout);
    relayLines(worker.process.stderr!, stderr ?? process.stderr);
    Object.assign(s, { worker, serving: false, startedAt: Date.now() });
    // an answer to a worker that died meanwhile is dropped, not an error of the primary
    const handle: WorkerHandle = {
      slot: s.slot,
      send: (m: PrimaryMessage) => void (worker.isConnected() && worker.send(m)),
    };
    s.handle = handle;
    worker.on('error', (err) => this.options.logger.warn({ err, worker: s.slot }, 'worker channel error'));
    return new Promise<ReadyMessage>((resolve, reject) => {
      worker.on('message', (m: unknown) => {
        if (!isModelgateMessage(m)) return;
        const message = m as WorkerMessage;
        if (message.mg !== 'ready') return void this.#services.handle(handle, message);
        s.serving = true;
        this.#services.welcome(handle);
        this.#port ??= message.listenPort;
        resolve(message);
      });
      worker.once('exit', (code, signal) => {
        const served = s.serving;
        s.serving = false;
        if (s.worker === worker) s.worker = undefined;
        if (!served) reject(new WorkerStartError(s.slot, code, signal));
        this.#exited(s, worker, served, code, signal);
      });
    });
  }

  #exited(s: Slot, worker: Worker, served: boolean, code: number | null, signal: string | null): void {
    // during the start, a worker that never served fails the start instead (start() stops all)
    if (this.#stopping || (!this.#started && !served)) return;
    const { logger, metrics } = this.options;
    if (Date.now() - s.startedAt >= (this.options.stableMs ?? 30_000)) s.failures = 0;
    const delay = backoffDelay(s.failures++, this.options.backoff ?? { initialMs: 500, maxMs: 30_000 });
    logger.error(
      { worker: s.slot, pid: worker.process.pid, code, signal, restart_in_ms: delay },
      'worker exited unexpectedly; starting it again',
    );
    s.restart = setTimeout(() => {
      if (this.#stopping) return;
      metrics.workerRestarts.inc();
      this.#fork(s, false).then(
        () => logger.info({ worker: s.slot, pid: s.worker?.process.pid }, 'worker serving again'),
        () => undefined, // its exit schedules the next attempt
      );
    }, delay);
  }
}
