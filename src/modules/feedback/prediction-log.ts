import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import type { Database } from '../../store/schema.js';
import type { Prediction } from '../serving/output-plan.js';

export interface LoggedPrediction {
  id: string;
  model: string;
  version: string;
  variant: 'stable' | 'candidate' | null;
  rolloutId: string | null;
  predictions: Prediction[];
  inputs?: unknown[];
}

/**
 * Writes predictions to the database in batches, off the request path: `add` only queues. The
 * queue is flushed every `flushMs` or at `batchSize`; when the database cannot keep up, the
 * oldest entries beyond `maxQueue` are dropped (counted), never the response delayed. Recent
 * entries stay in memory too, so feedback that arrives before a flush still joins.
 */
export class PredictionLog {
  /** rows waiting for the next flush; serialised to JSON only then, off the request path */
  #queue: Array<{ p: LoggedPrediction; at: string }> = [];
  readonly #recent = new Map<string, LoggedPrediction>();
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;
  /** entries ever queued, and ever taken off the queue (written, failed or dropped) */
  #queued = 0;
  #taken = 0;
  dropped = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options = { flushMs: 250, batchSize: 500, maxQueue: 50_000, recent: 100_000 },
  ) {
    this.#timer = setInterval(() => void this.#writeSome(), options.flushMs).unref();
  }

  add(p: LoggedPrediction): void {
    this.#recent.set(p.id, p);
    if (this.#recent.size > this.options.recent) this.#recent.delete(this.#recent.keys().next().value!);
    this.#queue.push({ p, at: this.clock.now().toISOString() });
    this.#queued++;
    if (this.#queue.length > this.options.maxQueue) {
      this.#queue.shift();
      this.#taken++;
      this.dropped++;
    }
    if (this.#queue.length >= this.options.batchSize) void this.#writeSome();
  }

  /** A prediction by id: recent ones from memory, older ones from the database. */
  async get(id: string): Promise<LoggedPrediction | undefined> {
    const hit = this.#recent.get(id);
    if (hit) return hit;
    const row = await this.db.selectFrom('predictions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      model: row.model_name,
      version: row.version,
      variant: row.variant as LoggedPrediction['variant'],
      rolloutId: row.rollout_id,
      predictions: JSON.parse(row.outputs) as Prediction[],
    };
  }

  /**
   * Writes everything queued before the call, waiting for a batch already being written. Entries
   * queued meanwhile are left to the timer: under steady traffic the queue is never empty, and a
   * flush that waited for that would never return.
   */
  async flush(): Promise<void> {
    const upTo = this.#queued;
    while (this.#taken < upTo) await (this.#flushing ?? this.#writeSome());
    await this.#flushing; // the batch holding the last of them may still be in flight (one at a time)
  }

  /** Writes the next batch (and more while full batches wait), unless a write is under way. */
  async #writeSome(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#queue.length === 0) return;
    const taken = this.#queue.splice(0, this.options.batchSize);
    this.#taken += taken.length;
    const batch: Array<Database['predictions']> = taken.map(({ p, at }) => ({
      id: p.id,
      model_name: p.model,
      version: p.version,
      variant: p.variant,
      rollout_id: p.rolloutId,
      at,
      outputs: JSON.stringify(p.predictions),
      inputs: p.inputs ? JSON.stringify(p.inputs) : null,
    }));
    this.#flushing = this.db
      .insertInto('predictions')
      .values(batch)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
      .then(
        () => undefined,
        (err: unknown) => {
          this.dropped += batch.length;
          this.logger.warn({ err, rows: batch.length }, 'prediction log batch could not be written');
        },
      )
      .finally(() => (this.#flushing = undefined));
    await this.#flushing;
    if (this.#queue.length >= this.options.batchSize) await this.#writeSome();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
