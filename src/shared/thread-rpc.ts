import { parentPort, Worker, workerData } from 'node:worker_threads';

type Reply<Res> = { id: number; result: Res } | { id: number; error: string };

/**
 * Requests answered by a module running in a worker thread, off the event loop that serves
 * predictions. The thread starts on first use, is unref'd (it never keeps the process alive) except
 * while an answer is due, and is started again after it crashed or was closed; replies are matched
 * to requests by id. The entry module calls `answerRequests` with its handler.
 */
export class ThreadRpc<Req, Res> {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<
    number,
    { worker: Worker; resolve: (r: Res) => void; reject: (e: Error) => void }
  >();

  /**
   * @param name says whose thread ended ("the drift worker exited …")
   * @param entry the entry module's URL without its extension, e.g.
   *   `new URL('./drift-worker-entry', import.meta.url)`: `.ts` under tsx, `.js` once compiled
   * @param failed prefixes the handler's errors ("drift assessment failed: …")
   * @param data given to the entry as `threadData()` (cloned once, when the thread starts)
   */
  constructor(
    private readonly name: string,
    private readonly entry: URL,
    private readonly failed: string,
    private readonly data?: unknown,
  ) {}

  call(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const id = this.#nextId++;
      const worker = this.#started();
      this.#pending.set(id, { worker, resolve, reject });
      worker.ref(); // while an answer is due
      try {
        worker.postMessage({ id, request });
      } catch (err) {
        // not cloneable: nothing was sent, nothing is due
        this.#pending.delete(id);
        this.#unrefWhenIdle(worker);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    this.#fail(worker, new Error(`the ${this.name} was closed`));
    await worker.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    // Under tsx (development, tests) the entry is TypeScript: the thread registers tsx first,
    // resolved here, from this module (an eval'd worker would resolve it from the cwd).
    const ts = import.meta.url.endsWith('.ts');
    const entry = new URL(`${this.entry.href}${ts ? '.ts' : '.js'}`);
    const tsx = ts ? import.meta.resolve('tsx/esm/api') : undefined;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry: entry.href, tsx, data: this.data },
    });
    worker.unref();
    worker.on('message', (reply: Reply<Res>) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      this.#unrefWhenIdle(worker);
      if (!waiting) return;
      if ('error' in reply) waiting.reject(new Error(`${this.failed}: ${reply.error}`));
      else waiting.resolve(reply.result);
    });
    const lost = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#fail(worker, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the ${this.name} exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }

  #unrefWhenIdle(worker: Worker): void {
    for (const p of this.#pending.values()) if (p.worker === worker) return;
    worker.unref();
  }

  /** Rejects what was sent to `worker` (a newer worker's requests are not its to fail). */
  #fail(worker: Worker, err: Error): void {
    for (const [id, p] of this.#pending) {
      if (p.worker !== worker) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
  }
}

/** In an entry module: the `data` its ThreadRpc was made with. */
export function threadData<T>(): T {
  return (workerData as { data: T }).data;
}

/** In an entry module: answers each request with `handle`'s result, or its error's stack. */
export function answerRequests<Req, Res>(handle: (request: Req) => Res): void {
  parentPort!.on('message', ({ id, request }: { id: number; request: Req }) => {
    let reply: Reply<Res>;
    try {
      reply = { id, result: handle(request) };
    } catch (err) {
      reply = { id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const ready = workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
ready.then(() => import(workerData.entry));
`;
