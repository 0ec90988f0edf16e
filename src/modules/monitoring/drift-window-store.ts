import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';

export interface PublishedPane {
  model: string;
  version: string;
  epoch: number;
  pane: string;
}

/** Where replicas publish their drift window panes, and read each other's. */
export interface DriftWindowStore {
  /** Upserts `changed` panes of `replica`; deletes its panes of those versions not in `live`. */
  publish(
    replica: string,
    nowMs: number,
    changed: PublishedPane[],
    live: Array<{ model: string; version: string; epochs: number[] }>,
  ): Promise<void>;
  /** Other fresh replicas' panes of a version (replicas seen at or after `seenSinceMs`). */
  panes(model: string, version: string, exceptReplica: string, seenSinceMs: number): Promise<string[]>;
}

/** On the `drift_windows` table; freshness from `cluster_replicas` (the rollout publisher's heartbeat). */
export class SqlDriftWindowStore implements DriftWindowStore {
  constructor(private readonly db: Kysely<Database>) {}

  async publish(
    replica: string,
    nowMs: number,
    changed: PublishedPane[],
    live: Array<{ model: string; version: string; epochs: number[] }>,
  ): Promise<void> {
    if (changed.length === 0 && live.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const v of live) {
        let gone = trx
          .deleteFrom('drift_windows')
          .where('replica_id', '=', replica)
          .where('model_name', '=', v.model)
          .where('version', '=', v.version);
        if (v.epochs.length > 0) gone = gone.where('epoch', 'not in', v.epochs);
        await gone.execute();
      }
      for (const p of changed) {
        await trx
          .insertInto('drift_windows')
          .values({
            replica_id: replica,
            model_name: p.model,
            version: p.version,
            epoch: p.epoch,
            pane: p.pane,
            published_at: nowMs,
          })
          .onConflict((oc) =>
            oc
              .columns(['replica_id', 'model_name', 'version', 'epoch'])
              .doUpdateSet({ pane: p.pane, published_at: nowMs }),
          )
          .execute();
      }
    });
  }

  async panes(model: string, version: string, exceptReplica: string, seenSinceMs: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('drift_windows as d')
      .innerJoin('cluster_replicas as r', 'r.replica_id', 'd.replica_id')
      .select('d.pane')
      .where('d.model_name', '=', model)
      .where('d.version', '=', version)
      .where('d.replica_id', '!=', exceptReplica)
      .where('r.seen_at', '>=', seenSinceMs)
      .orderBy('d.replica_id')
      .orderBy('d.epoch')
      .execute();
    return rows.map((r) => r.pane);
  }
}
