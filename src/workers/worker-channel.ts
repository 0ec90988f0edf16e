import { SyncedWindowCounter } from './synced-window-counter.js';
import {
  isModelgateMessage,
  type Answer,
  type CollectRequest,
  type JsonMetrics,
  type PrimaryMessage,
  type ReadyMessage,
  type WorkerMessage,
} from './messages.js';

/** How a worker talks to its primary: `process.send` and `process.on('message')` (fakes in tests). */
export interface ChannelPort {
  send(message: WorkerMessage): void;
  onMessage(listener: (message: unknown) => void): () => void;
}

/** The IPC channel of a cluster worker (node:cluster sets `process.send`). */
export function processPort(): ChannelPort {
  return {
    send: (m) => void process.send?.(m),
    onMessage(listener) {
      process.on('message', listener);
      return () => void process.off('message', listener);
    },
  };
}

interface Pending {
  resolve: (a: Answer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A worker's side of the IPC with its primary (docs/adr/0015): the shared window counters (rate
 * limits and the failed-authentication throttle: N workers enforce one budget, not N), the
 * aggregated scrape, and its own metrics for the primary's aggregation.
 */
export class WorkerChannel {
  #next = 0;
  readonly #pending = new Map<number, Pending>();
  #collect: (() => Promise<JsonMetrics>) | undefined;
  readonly #detach: () => void;

  constructor(
    private readonly port: ChannelPort,
    private readonly timeouts = { scrapeMs: 5000 },
  ) {
    this.#detach = port.onMessage((m) => this.#receive(m));
  }

  /** The window counters every worker shares (synced through the primary). */
  readonly counter = new SyncedWindowCounter({ send: (hits) => this.port.send({ mg: 'hits', hits }) });

  /** Every worker's metrics (and the primary's), aggregated by the primary: Prometheus text. */
  async scrape(): Promise<string> {
    return (await this.#request({ mg: 'scrape' }, this.timeouts.scrapeMs)).text ?? '';
  }

  /** Answers the primary's collection requests with this worker's own metrics. */
  serveCollect(collect: () => Promise<JsonMetrics>): void {
    this.#collect = collect;
  }

  ready(facts: Omit<ReadyMessage, 'mg'>): void {
    this.port.send({ mg: 'ready', ...facts });
  }

  close(): void {
    this.counter.flush();
    this.#detach();
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the worker is closing'));
      this.#pending.delete(id);
    }
  }

  #request(message: { mg: 'scrape' }, timeoutMs: number): Promise<Answer> {
    const id = ++this.#next;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the primary did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.port.send({ ...message, id });
    });
  }

  #receive(m: unknown): void {
    if (!isModelgateMessage(m)) return;
    const message = m as PrimaryMessage;
    if (message.mg === 'collect') return void this.#answerCollect(message);
    if (message.mg === 'counts') return this.counter.apply(message.counts);
    if (message.mg !== 'answer') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return; // timed out meanwhile
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error !== undefined) pending.reject(new Error(message.error));
    else pending.resolve(message);
  }

  async #answerCollect({ id }: CollectRequest): Promise<void> {
    try {
      if (!this.#collect) throw new Error('not serving yet');
      this.port.send({ mg: 'collected', id, metrics: await this.#collect() });
    } catch (err) {
      this.port.send({ mg: 'collected', id, error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** What createRuntime needs to know about the worker it runs in (docs/adr/0015). */
export interface WorkerRole {
  /** 1..N, kept by a restarted worker */
  slot: number;
  /** the worker that does the start's one-time work (migrations, demo, first admin key) */
  first: boolean;
  channel: WorkerChannel;
}
