import type { Db } from '../../store/database.js';
import { appendAudit } from '../audit/audit.js';

/** An evaluation of a version over labelled data, as recorded. */
export interface Evaluation {
  id: string;
  model: string;
  version: string;
  dataSha256: string;
  /** the data file's name as the client gave it (for people; the hash identifies the data) */
  dataName: string | null;
  labelColumn: string;
  rows: number;
  metrics: Record<string, number | null>;
  createdAt: string;
  createdBy: string;
}

/** Evaluations in the database; each insert writes its audit event in the same transaction. */
export class SqlEvaluationStore {
  constructor(private readonly db: Db) {}

  async insert(e: Evaluation): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('evaluations')
        .values({
          id: e.id,
          model_name: e.model,
          version: e.version,
          data_sha256: e.dataSha256,
          data_name: e.dataName,
          label_column: e.labelColumn,
          rows: e.rows,
          metrics: JSON.stringify(e.metrics),
          created_at: e.createdAt,
          created_by: e.createdBy,
        })
        .execute();
      await appendAudit(trx, e.createdAt, {
        principal: e.createdBy,
        action: 'model.version.evaluated',
        model: e.model,
        version: e.version,
        after: { evaluation: e.id, data_sha256: e.dataSha256, rows: e.rows, metrics: e.metrics },
      });
    });
  }

  /** A version's evaluations, newest first (optionally only those on one data file). */
  async list(model: string, version: string, dataSha256?: string): Promise<Evaluation[]> {
    let q = this.db
      .selectFrom('evaluations')
      .selectAll()
      .where('model_name', '=', model)
      .where('version', '=', version);
    if (dataSha256 !== undefined) q = q.where('data_sha256', '=', dataSha256);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({
      id: r.id,
      model: r.model_name,
      version: r.version,
      dataSha256: r.data_sha256,
      dataName: r.data_name,
      labelColumn: r.label_column,
      rows: Number(r.rows),
      metrics: JSON.parse(r.metrics) as Record<string, number | null>,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }
}
