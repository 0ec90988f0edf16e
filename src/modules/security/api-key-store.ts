import type { Clock } from '../../shared/clock.js';
import { recordChange } from '../../store/change-log.js';
import type { Db } from '../../store/database.js';
import { appendAudit, type AuditInput } from '../audit/audit.js';
import type { Scope } from './scopes.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  keyHash: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}

export interface ApiKeyStore {
  insert(record: ApiKeyRecord, audit: AuditInput): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; false when there is no such active key. */
  revoke(id: string, audit: AuditInput): Promise<boolean>;
  countActive(): Promise<number>;
}

export class SqlApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async insert(r: ApiKeyRecord, audit: AuditInput): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id: r.id,
          name: r.name,
          key_hash: r.keyHash,
          scopes: JSON.stringify(r.scopes),
          created_at: r.createdAt,
          created_by: r.createdBy,
          revoked_at: r.revokedAt,
        })
        .execute();
      await appendAudit(trx, r.createdAt, audit);
      await recordChange(trx, { kind: 'keys', at: r.createdAt });
    });
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
    return rows.map(toRecord);
  }

  async revoke(id: string, audit: AuditInput): Promise<boolean> {
    const at = this.clock.now().toISOString();
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      await appendAudit(trx, at, audit);
      await recordChange(trx, { kind: 'keys', at });
      return true;
    });
  }

  async countActive(): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toRecord(r: {
  id: string;
  name: string;
  key_hash: string;
  scopes: string;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    keyHash: r.key_hash,
    scopes: JSON.parse(r.scopes) as Scope[],
    createdAt: r.created_at,
    createdBy: r.created_by,
    revokedAt: r.revoked_at,
  };
}
