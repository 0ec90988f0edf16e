import { AggregatorRegistry } from 'prom-client';
import type { Collected, JsonMetrics, PrimaryMessage, WorkerMessage } from './messages.js';
import type { SharedWindows } from './shared-windows.js';

/** A worker as the primary's services see it (node:cluster's Worker; a fake in tests). */
export interface WorkerHandle {
  /** 1..N, kept across restarts */
  slot: number;
  send(message: PrimaryMessage): void;
}

export interface PrimaryServicesOptions {
  /** The windows every worker's rate limits and failed-auth throttle count in. */
  windows: SharedWindows;
  /** How long new hits wait before every worker is told (batches them). */
  syncMs?: number;
  /** The workers that serve right now (asked for their metrics at each scrape). */
  serving: () => WorkerHandle[];
  /** The primary's own metrics (restarts, its process), merged with the workers'. */
  own: () => Promise<JsonMetrics>;
  /** A worker that does not answer within this is left out of that scrape. */
  collectTimeoutMs: number;
}

interface Collection {
  waiting: number;
  parts: JsonMetrics[];
  done: () => void;
}

/**
 * What the primary of `serve --workers N` does for its workers, besides supervising them: it
 * holds the shared window counters (and tells every worker the others' hits of the windows that
 * changed, every `syncMs`) and aggregates everyone's metrics into one scrape with
 * prom-client's AggregatorRegistry (counters and histograms summed; gauges by their declared
 * aggregator, see metrics.ts).
 */
export class PrimaryServices {
  #next = 0;
  readonly #collections = new Map<number, Collection>();
  #broadcast: NodeJS.Timeout | undefined;

  constructor(private readonly options: PrimaryServicesOptions) {}

  /** Handles one message of a worker; answers go back to it. */
  async handle(from: WorkerHandle, message: WorkerMessage): Promise<void> {
    switch (message.mg) {
      case 'hits': {
        this.options.windows.hit(from.slot, message.hits);
        this.#broadcast ??= setTimeout(() => this.#sendCounts(), this.options.syncMs ?? 10).unref();
        return;
      }
      case 'scrape': {
        try {
          from.send({ mg: 'answer', id: message.id, text: await this.scrape() });
        } catch (err) {
          from.send({ mg: 'answer', id: message.id, error: String(err) });
        }
        return;
      }
      case 'collected':
        return this.#collected(message);
      default:
        return;
    }
  }

  /** A worker that starts serving learns every open window. */
  welcome(worker: WorkerHandle): void {
    const { windows } = this.options;
    const counts = windows.countsFor(worker.slot, windows.openKeys());
    if (counts.length > 0) worker.send({ mg: 'counts', counts });
  }

  /** Stops the pending broadcast (the primary is stopping). */
  close(): void {
    clearTimeout(this.#broadcast);
  }

  #sendCounts(): void {
    this.#broadcast = undefined;
    const { windows } = this.options;
    const keys = windows.takeDirty();
    if (keys.length === 0) return;
    for (const w of this.options.serving()) {
      const counts = windows.countsFor(w.slot, keys);
      if (counts.length > 0) w.send({ mg: 'counts', counts });
    }
  }

  /** Every serving worker's metrics and the primary's own, aggregated (Prometheus text). */
  async scrape(): Promise<string> {
    const [own, workers] = await Promise.all([this.options.own(), this.#collect()]);
    return AggregatorRegistry.aggregate([own, ...workers]).metrics();
  }

  #collect(): Promise<JsonMetrics[]> {
    const workers = this.options.serving();
    const id = ++this.#next;
    return new Promise<JsonMetrics[]>((resolve) => {
      const collection: Collection = {
        waiting: workers.length,
        parts: [],
        done: () => {
          clearTimeout(timer);
          this.#collections.delete(id);
          resolve(collection.parts);
        },
      };
      // a worker that hangs (or died meanwhile) costs this scrape its numbers, not the scrape
      const timer = setTimeout(collection.done, this.options.collectTimeoutMs);
      this.#collections.set(id, collection);
      if (workers.length === 0) return collection.done();
      for (const w of workers) w.send({ mg: 'collect', id });
    });
  }

  #collected({ id, metrics }: Collected): void {
    const c = this.#collections.get(id);
    if (!c) return;
    if (metrics) c.parts.push(metrics);
    if (--c.waiting === 0) c.done();
  }
}
