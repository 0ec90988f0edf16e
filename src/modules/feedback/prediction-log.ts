import type { Database as SqliteHandle } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { oncePerMs, type Clock } from '../../shared/clock.js';
import type { Database } from '../../store/schema.js';
import type { Answer, AnswerObserver } from '../serving/answer.js';
import type { Prediction } from '../serving/output-plan.js';
import { ThreadRpc } from '../../shared/thread-rpc.js';
import type { WriteRequest } from './prediction-writer-entry.js';

export interface LoggedPrediction {
  id: string;
  model: string;
  version: string;
  variant: 'stable' | 'candidate' | null;
  rolloutId: string | null;
  predictions: Prediction[];
  inputs?: unknown[];
}

export interface PredictionLogOptions {
  /** how often the queue is written when it does not fill a batch first */
  flushMs: number;
  /** most rows in one insert */
  batchSize: number;
  /** bytes the queue may hold (entries waiting or being written); past it the oldest are dropped */
  maxQueueBytes: number;
  /** bytes of one insert; a batch ends at batchSize rows or this many bytes */
  maxBatchBytes: number;
}

export const DEFAULT_PREDICTION_LOG_OPTIONS: PredictionLogOptions = {
  flushMs: 250,
  batchSize: 500,
  maxQueueBytes: 32 * 1024 * 1024,
  maxBatchBytes: 4 * 1024 * 1024,
};

/** A queued row, serialised: strings hold one byte per ASCII character, an object graph many more. */
interface Entry {
  row: Database['predictions'];
  bytes: number;
}

/** Map slot, row object and string headers of one entry, beyond the characters of its strings. */
const ENTRY_OVERHEAD_BYTES = 256;

/** Approximate memory of a queued row: its strings' characters plus a fixed overhead. */
export function entryBytes(row: Database['predictions']): number {
  return (
    ENTRY_OVERHEAD_BYTES +
    row.id.length +
    row.model_name.length +
    row.version.length +
    (row.variant?.length ?? 0) +
    (row.rollout_id?.length ?? 0) +
    row.at.length +
    row.outputs.length +
    (row.inputs?.length ?? 0)
  );
}

/** Writes one batch of rows (ids already written are skipped). */
export type PredictionInsert = (rows: Array<Database['predictions']>) => Promise<void>;

/** Through Kysely: PostgreSQL, and SQLite when no raw handle is at hand. */
export function kyselyPredictionInsert(db: Kysely<Database>): PredictionInsert {
  return async (rows) => {
    await db
      .insertInto('predictions')
      .values(rows)
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  };
}

/** Rows per multi-row INSERT of the embedded writer (8 parameters each, far under SQLite's limit). */
export const SQLITE_ROWS_PER_INSERT = 25;

/**
 * Embedded SQLite: statements prepared once, run inside one transaction per batch. Rows go
 * SQLITE_ROWS_PER_INSERT to a statement, the remainder one by one: 3.5 µs of CPU a row against
 * 5.1 for one statement per row (the per-statement work of the VM; the three index updates stay).
 * Kysely compiled a 500-row insert (4,000 parameters) on every batch: 9% of the server's CPU
 * under load. BEGIN IMMEDIATE: other connections (the server's own, other workers' processes)
 * share the file (ADR 0015).
 */
export function sqliteRowsWriter(sqlite: SqliteHandle): (rows: Array<Database['predictions']>) => void {
  const insertOf = (rows: number) =>
    sqlite.prepare(
      `INSERT INTO predictions (id, model_name, version, variant, rollout_id, at, outputs, inputs) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (id) DO NOTHING`,
    );
  /** Writes a row's 8 parameters into `into` from `at`, in the order of the column list above. */
  const put = (r: Database['predictions'], into: unknown[], at: number) => {
    into[at] = r.id;
    into[at + 1] = r.model_name;
    into[at + 2] = r.version;
    into[at + 3] = r.variant;
    into[at + 4] = r.rollout_id;
    into[at + 5] = r.at;
    into[at + 6] = r.outputs;
    into[at + 7] = r.inputs;
  };
  const many = insertOf(SQLITE_ROWS_PER_INSERT);
  const manyParams = new Array<unknown>(SQLITE_ROWS_PER_INSERT * 8);
  const one = insertOf(1);
  const oneParams = new Array<unknown>(8);
  const all = sqlite.transaction((rows: Array<Database['predictions']>) => {
    let i = 0;
    for (; i + SQLITE_ROWS_PER_INSERT <= rows.length; i += SQLITE_ROWS_PER_INSERT) {
      for (let j = 0; j < SQLITE_ROWS_PER_INSERT; j++) put(rows[i + j]!, manyParams, j * 8);
      many.run(manyParams);
    }
    for (; i < rows.length; i++) {
      put(rows[i]!, oneParams, 0);
      one.run(oneParams);
    }
  });
  return (rows) => all.immediate(rows);
}

/**
 * Embedded SQLite from a worker thread with its own connection to `file`: the inserts (~8 µs of
 * CPU per row, three indexes) leave the event loop that serves predictions; the main thread only
 * copies the batch to the thread. A crashed thread fails its batch (counted as dropped, like a
 * failed write) and the next batch starts a new one.
 */
export function threadedSqlitePredictionInsert(file: string): PredictionInsert & { close(): Promise<void> } {
  const thread = new ThreadRpc<WriteRequest, number>(
    'prediction writer thread',
    new URL('./prediction-writer-entry', import.meta.url),
    'prediction log write failed',
    file,
  );
  const insert = async (rows: Array<Database['predictions']>): Promise<void> => {
    await thread.call(rows);
  };
  return Object.assign(insert, { close: () => thread.close() });
}

/**
 * Writes predictions to the database in batches, off the request path: `add` serialises the entry
 * (compact, and its size known) and queues it. The queue is written every `flushMs` or when a
 * batch is full, and is bounded in bytes: when the database cannot keep up, the oldest waiting
 * entries are dropped (counted), never the response delayed. Only unwritten entries stay in
 * memory (feedback that arrives before a write still joins); once written, a row is read from the
 * database.
 */
export class PredictionLog {
  /** waiting for a write, oldest first (a Map keeps insertion order) */
  readonly #queued = new Map<string, Entry>();
  /** handed to the database in the current insert */
  readonly #writing = new Map<string, Entry>();
  #bytes = 0;
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;
  /** entries ever queued, and ever taken off the queue (written, failed or dropped) */
  #added = 0;
  #taken = 0;
  /** rows of failed writes since the last successful one */
  #failedRows = 0;
  /** `at` for a new row, formatted once per clock millisecond: several predictions share one */
  readonly #isoNow: () => string;
  dropped = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: PredictionLogOptions = DEFAULT_PREDICTION_LOG_OPTIONS,
    private readonly onDropped: (rows: number) => void = () => undefined,
    private readonly insert: PredictionInsert = kyselyPredictionInsert(db),
  ) {
    this.#timer = setInterval(() => void this.#writeSome(), options.flushMs).unref();
    this.#isoNow = oncePerMs(
      () => clock.nowMs(),
      (ms) => new Date(ms).toISOString(),
    );
  }

  /** Bytes held: entries waiting and being written. */
  get bytes(): number {
    return this.#bytes;
  }

  add(p: LoggedPrediction): void {
    const row: Database['predictions'] = {
      id: p.id,
      model_name: p.model,
      version: p.version,
      variant: p.variant,
      rollout_id: p.rolloutId,
      at: this.#isoNow(),
      outputs: JSON.stringify(p.predictions),
      inputs: p.inputs ? JSON.stringify(p.inputs) : null,
    };
    const entry = { row, bytes: entryBytes(row) };
    this.#queued.set(row.id, entry);
    this.#bytes += entry.bytes;
    this.#added++;
    // only past the bound: an iterator and an entry array on every add were garbage per prediction
    if (this.#bytes > this.options.maxQueueBytes) this.#dropOldest();
    if (this.#queued.size >= this.options.batchSize) void this.#writeSome();
  }

  /** Drops the oldest waiting entries until the queue is back within maxQueueBytes. */
  #dropOldest(): void {
    let dropped = 0;
    for (const [id, oldest] of this.#queued) {
      if (this.#bytes <= this.options.maxQueueBytes) break;
      this.#queued.delete(id);
      this.#bytes -= oldest.bytes;
      this.#taken++;
      dropped++;
    }
    if (dropped > 0) this.#drop(dropped);
  }

  /** A prediction by id: unwritten ones from memory, the others from the database. */
  async get(id: string): Promise<LoggedPrediction | undefined> {
    const row =
      (this.#queued.get(id) ?? this.#writing.get(id))?.row ??
      (await this.db.selectFrom('predictions').selectAll().where('id', '=', id).executeTakeFirst());
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
    const upTo = this.#added;
    while (this.#taken < upTo) await (this.#flushing ?? this.#writeSome());
    await this.#flushing; // the batch holding the last of them may still be in flight (one at a time)
  }

  /** Writes the next batch (and more while full batches wait), unless a write is under way. */
  async #writeSome(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#queued.size === 0) return;
    let batchBytes = 0;
    for (const [id, entry] of this.#queued) {
      if (this.#writing.size >= this.options.batchSize) break;
      if (this.#writing.size > 0 && batchBytes + entry.bytes > this.options.maxBatchBytes) break;
      this.#queued.delete(id);
      this.#writing.set(id, entry);
      batchBytes += entry.bytes;
    }
    this.#taken += this.#writing.size;
    const batch = [...this.#writing.values()].map((e) => e.row);
    this.#flushing = this.insert(batch)
      .then(
        () => {
          if (this.#failedRows === 0) return;
          this.logger.info({ dropped: this.#failedRows }, 'prediction log written again');
          this.#failedRows = 0;
        },
        (err: unknown) => {
          this.#drop(batch.length);
          // one line per outage, not one per batch (four a second while the database is away)
          if (this.#failedRows === 0)
            this.logger.warn({ err, rows: batch.length }, 'prediction log batch could not be written');
          this.#failedRows += batch.length;
        },
      )
      .finally(() => {
        this.#writing.clear();
        this.#bytes -= batchBytes;
        this.#flushing = undefined;
      });
    await this.#flushing;
    if (this.#queued.size >= this.options.batchSize || this.#bytes >= this.options.maxBatchBytes)
      await this.#writeSome();
  }

  #drop(rows: number): void {
    this.dropped += rows;
    this.onDropped(rows);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

/**
 * Data-plane observer: every answered native prediction is queued for the log (feedback joins on
 * its id), with its inputs when `storeInputs`. Never waits.
 */
export function predictionLogObserver(log: Pick<PredictionLog, 'add'>, storeInputs: boolean): AnswerObserver {
  return {
    name: 'prediction log',
    observe: (a: Answer): void => {
      const answered = a.answered;
      if (
        a.model === undefined ||
        a.version === undefined ||
        !answered?.predictionId ||
        !answered.predictions
      )
        return;
      log.add({
        id: answered.predictionId,
        model: a.model,
        version: a.version,
        variant: answered.variant ?? null,
        rolloutId: answered.rolloutId ?? null,
        predictions: answered.predictions,
        ...(storeInputs && answered.rows ? { inputs: answered.rows as unknown[] } : {}),
      });
    },
  };
}
