import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import type { Database } from '../../store/schema.js';
import { ACTIVE_STATES } from '../rollouts/types.js';

export interface RetentionPolicy {
  /** rows older than this are deleted (0: no age limit) */
  maxAgeMs: number;
  /** beyond this many rows the oldest are deleted (0: no row limit) */
  maxRows: number;
  /** rows per delete: each is a short transaction, so writers and readers never wait long */
  batchSize: number;
}

export type RetentionReason = 'age' | 'rows';

/**
 * Deletes old prediction log rows off the request path, in small batches, so the log does not
 * grow without end. Kept whatever their age or number: the predictions of active rollouts (their
 * accuracy check joins feedback to them). A row past `maxAgeMs` goes with its feedback; the row
 * limit spares rows that have feedback (the live performance view reads them; they age out).
 */
export class PredictionRetention {
  #running: Promise<number> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly policy: RetentionPolicy,
    private readonly onDeleted: (reason: RetentionReason, rows: number) => void = () => undefined,
  ) {}

  /** Sweeps now and every `intervalMs` (the timer does not keep the process alive). */
  start(intervalMs: number): void {
    const run = () =>
      void this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'prediction log retention failed'));
    this.#timer = setInterval(run, intervalMs).unref();
    setImmediate(run);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One pass: deletes batches until the log is within the policy. Returns the rows deleted. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(): Promise<number> {
    let deleted = 0;
    if (this.policy.maxAgeMs > 0) {
      const cutoff = new Date(this.clock.nowMs() - this.policy.maxAgeMs).toISOString();
      deleted += await this.#deleteWhile('age', cutoff, false);
    }
    if (this.policy.maxRows > 0) {
      // the newest row beyond the limit: it and everything older may go
      const beyond = await this.db
        .selectFrom('predictions')
        .select('at')
        .orderBy('at', 'desc')
        .limit(1)
        .offset(this.policy.maxRows)
        .executeTakeFirst();
      if (beyond) deleted += await this.#deleteWhile('rows', beyond.at, true);
    }
    if (deleted > 0) this.logger.info({ deleted }, 'prediction log retention');
    return deleted;
  }

  /** Batches of rows at or before `upTo` (age: strictly before), oldest first, until none is left. */
  async #deleteWhile(reason: RetentionReason, upTo: string, spareLabelled: boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = (
        await this.db
          .selectFrom('predictions as p')
          .select('p.id')
          .where('p.at', reason === 'age' ? '<' : '<=', upTo)
          .where((eb) =>
            eb.or([
              eb('p.rollout_id', 'is', null),
              eb(
                'p.rollout_id',
                'not in',
                eb
                  .selectFrom('rollouts')
                  .select('id')
                  .where('state', 'in', [...ACTIVE_STATES]),
              ),
            ]),
          )
          .$if(spareLabelled, (qb) =>
            qb.where((eb) =>
              eb.not(
                eb.exists(
                  eb.selectFrom('feedback as f').select('f.idx').whereRef('f.prediction_id', '=', 'p.id'),
                ),
              ),
            ),
          )
          .orderBy('p.at')
          .limit(this.policy.batchSize)
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) return total;
      await this.db.transaction().execute(async (trx) => {
        if (!spareLabelled) await trx.deleteFrom('feedback').where('prediction_id', 'in', ids).execute();
        await trx.deleteFrom('predictions').where('id', 'in', ids).execute();
      });
      total += ids.length;
      this.onDeleted(reason, ids.length);
      if (ids.length < this.policy.batchSize) return total;
      // let requests run between batches (SQLite statements block the event loop while they run)
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
