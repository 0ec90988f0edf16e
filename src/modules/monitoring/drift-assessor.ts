import { Worker } from 'node:worker_threads';
import { assessDrift, type DriftAssessment, type DriftOptions } from './drift-assessment.js';
import type { AssessRequest } from './drift-worker-entry.js';
import type { LiveSnapshot } from './live-window.js';
import type { Profile } from './reference-profile.js';

/** Assesses a live snapshot against a reference profile. */
export type Assess = (
  profile: Profile,
  live: LiveSnapshot,
  options: DriftOptions,
) => Promise<DriftAssessment>;

/** On the calling thread: for unit tests and tools, where nothing else waits on the event loop. */
export const assessHere: Assess = (profile, live, options) =>
  Promise.resolve(assessDrift(profile, live, options));

type Reply = { id: number; assessment: DriftAssessment } | { id: number; error: string };

/**
 * One worker thread for drift assessments: a 31-column assessment of a full window takes ~40 ms
 * of CPU (exact KS p-values), which on the serving thread would stall every prediction behind it.
 * Started on first use, unref'd (it never keeps the process alive), restarted after a crash;
 * requests are answered in order by id.
 */
export class DriftWorker {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<
    number,
    { worker: Worker; resolve: (a: DriftAssessment) => void; reject: (e: Error) => void }
  >();

  readonly assess: Assess = (profile, live, options) =>
    new Promise<DriftAssessment>((resolve, reject) => {
      const id = this.#nextId++;
      const worker = this.#started();
      this.#pending.set(id, { worker, resolve, reject });
      worker.ref(); // while an answer is due
      try {
        worker.postMessage({ id, profile, live, options } satisfies AssessRequest);
      } catch (err) {
        // not cloneable: nothing was sent, nothing is due
        this.#pending.delete(id);
        if (![...this.#pending.values()].some((p) => p.worker === worker)) worker.unref();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });

  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#worker = undefined;
    this.#fail(worker, new Error('the drift worker was closed'));
    await worker.terminate();
  }

  #started(): Worker {
    if (this.#worker) return this.#worker;
    // Under tsx (development, tests) this module is TypeScript: the worker registers tsx first.
    const ts = import.meta.url.endsWith('.ts');
    const entry = new URL(ts ? './drift-worker-entry.ts' : './drift-worker-entry.js', import.meta.url);
    // tsx resolved here, from this module: an eval'd worker would resolve it from the cwd
    const tsx = ts ? import.meta.resolve('tsx/esm/api') : undefined;
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { entry: entry.href, tsx } });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (![...this.#pending.values()].some((p) => p.worker === worker)) worker.unref();
      if (!waiting) return;
      if ('error' in reply) waiting.reject(new Error(`drift assessment failed: ${reply.error}`));
      else waiting.resolve(reply.assessment);
    });
    const lost = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#fail(worker, err);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the drift worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
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

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const ready = workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
ready.then(() => import(workerData.entry));
`;
