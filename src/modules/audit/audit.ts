import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';

/** Every kind of change the audit log records. */
export const AUDIT_ACTIONS = [
  'model.version.registered',
  'model.promoted',
  'model.rolled_back',
  'model.alias.set',
  'model.version.evaluated',
  'model.promotion_policy_overridden',
  'model.version.deprecated',
  'model.version.archived',
  'model.version.restored',
  'model.version.artifact_collected',
  'api_key.created',
  'api_key.revoked',
  'rollout.started',
  'rollout.step_advanced',
  'rollout.paused',
  'rollout.resumed',
  'rollout.promoted',
  'rollout.rolled_back',
  'rollout.aborted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  principal: string;
  action: AuditAction;
  model?: string;
  version?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEvent {
  id: number;
  at: string;
  principal: string;
  action: AuditAction;
  model: string | null;
  version: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditFilter {
  model?: string;
  principal?: string;
  since?: string;
  until?: string;
  /** Return events with ids below this one (newest first pagination). */
  before?: number;
  limit: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Appends one event. Called inside the transaction that makes the change, so the log and the
 * change commit together or not at all. The log is append-only: nothing updates or deletes rows.
 */
export async function appendAudit(db: Executor, at: string, e: AuditInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      at,
      principal: e.principal,
      action: e.action,
      model_name: e.model ?? null,
      version: e.version ?? null,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    })
    .execute();
}

/** Newest first. */
export async function listAudit(db: Executor, f: AuditFilter): Promise<AuditEvent[]> {
  let q = db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.model !== undefined) q = q.where('model_name', '=', f.model);
  if (f.principal !== undefined) q = q.where('principal', '=', f.principal);
  if (f.since !== undefined) q = q.where('at', '>=', f.since);
  if (f.until !== undefined) q = q.where('at', '<', f.until);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    principal: r.principal,
    action: r.action as AuditAction,
    model: r.model_name,
    version: r.version,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
  }));
}

/** Read side of the audit log, for the API. */
export interface AuditReader {
  list(filter: AuditFilter): Promise<AuditEvent[]>;
}

export class SqlAuditReader implements AuditReader {
  constructor(private readonly db: Kysely<Database>) {}
  list(filter: AuditFilter): Promise<AuditEvent[]> {
    return listAudit(this.db, filter);
  }
}
