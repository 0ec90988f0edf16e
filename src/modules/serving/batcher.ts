/**
 * Adaptive batching of one loaded version's inference calls (issue 15, ADR 0013).
 *
 * ONNX Runtime computes on the calling thread (ADR 0001), so while one run computes, the requests
 * that arrive meanwhile wait in the sockets; when it returns, Node parses them in one turn of the
 * event loop. Each `submit` joins a queue that is flushed at the end of that turn (setImmediate):
 * the requests of one turn become one run of up to `maxRows` rows, split back per request. A lone
 * request waits for nothing but the end of its own turn (microseconds). With `maxWaitMs` > 0 the
 * queue is held up to that long for more requests, but only while the recent batches show
 * concurrency (an average of more than one request per run): a lone request is never held.
 *
 * A request is never split: one larger than `maxRows` runs alone. When a run of several requests
 * fails, each request is run again alone, so a failing request fails only itself.
 */
export interface BatchOptions {
  /** Most rows in one run; 1 turns batching off. */
  maxRows: number;
  /** Longest a queued request may wait for others while requests are concurrent; 0: one loop turn. */
  maxWaitMs: number;
}

export const DEFAULT_BATCH_OPTIONS: BatchOptions = { maxRows: 64, maxWaitMs: 0 };

/**
 * One run over several requests: answers one result per request, in order. It may throw; the
 * batcher then runs each request alone so that only the failing one fails.
 */
export type BatchRun<Req, Res> = (requests: Req[]) => Promise<Res[]>;

interface Pending<Req, Res> {
  request: Req;
  rows: number;
  resolve: (r: Res) => void;
  reject: (err: unknown) => void;
}

/** The average requests per run over the last runs (an exponential moving average). */
const CONCURRENCY_ALPHA = 0.2;

export class Batcher<Req, Res> {
  #queue: Array<Pending<Req, Res>> = [];
  #queuedRows = 0;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #meanRequests = 1;

  constructor(
    private readonly run: BatchRun<Req, Res>,
    private readonly rowsOf: (request: Req) => number,
    private readonly options: BatchOptions = DEFAULT_BATCH_OPTIONS,
    /** called after each successful run with its requests and rows (metrics) */
    private readonly onRun: (requests: number, rows: number) => void = () => undefined,
  ) {}

  /** Recent requests per run: above 1 while requests are being coalesced. */
  get meanRequestsPerRun(): number {
    return this.#meanRequests;
  }

  submit(request: Req): Promise<Res> {
    const rows = this.rowsOf(request);
    if (this.options.maxRows <= 1 || rows >= this.options.maxRows) return this.#runAlone(request, rows);
    return new Promise<Res>((resolve, reject) => {
      if (this.#queuedRows + rows > this.options.maxRows) this.#flush();
      this.#queue.push({ request, rows, resolve, reject });
      this.#queuedRows += rows;
      if (this.#queuedRows >= this.options.maxRows) this.#flush();
      else this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    if (this.options.maxWaitMs > 0 && this.#meanRequests > 1.5) {
      this.#timer = setTimeout(() => this.#flush(), this.options.maxWaitMs);
    } else {
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.#queuedRows = 0;
    this.#meanRequests = this.#meanRequests * (1 - CONCURRENCY_ALPHA) + batch.length * CONCURRENCY_ALPHA;
    if (batch.length === 1) {
      const only = batch[0]!;
      this.#runAlone(only.request, only.rows).then(only.resolve, only.reject);
      return;
    }
    void this.#runBatch(batch);
  }

  async #runBatch(batch: Array<Pending<Req, Res>>): Promise<void> {
    let results: Res[];
    try {
      results = await this.run(batch.map((p) => p.request));
      if (results.length !== batch.length)
        throw new Error('a batch run answered the wrong number of results');
    } catch {
      // one request may be what failed: each runs alone and gets its own answer or error
      for (const p of batch) this.#runAlone(p.request, p.rows).then(p.resolve, p.reject);
      return;
    }
    this.onRun(
      batch.length,
      batch.reduce((n, p) => n + p.rows, 0),
    );
    batch.forEach((p, i) => p.resolve(results[i]!));
  }

  async #runAlone(request: Req, rows: number): Promise<Res> {
    const [result] = await this.run([request]);
    this.onRun(1, rows);
    return result!;
  }
}
