import type { Transaction } from 'kysely';
import { AppError } from '../../shared/errors.js';
import type { Db, Dialect } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import { recordChange } from '../../store/change-log.js';
import { appendAudit, type AuditInput } from '../audit/audit.js';
import type {
  ArtifactReference,
  DeprecatedVersion,
  LifecycleChange,
  LifecycleStore,
} from './lifecycle-store.js';
import { lockModel, toVersion } from './sql-registry-store.js';
import type { ArtifactFile, LifecycleState, ModelVersion } from './types.js';

/** Lifecycle columns of `model_versions` (migration 0011), on SQLite and PostgreSQL. */
export class SqlLifecycleStore implements LifecycleStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async changeLifecycle(
    model: string,
    version: string,
    expected: LifecycleState,
    next: LifecycleChange,
    audit: AuditInput,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockModel(trx, this.dialect, model);
      if (next.state === 'archived') await refuseAliased(trx, model, version, ['production', 'staging']);
      const result = await trx
        .updateTable('model_versions')
        .set({
          lifecycle: next.state,
          lifecycle_reason: next.reason,
          lifecycle_changed_at: next.at,
          lifecycle_changed_by: next.by,
        })
        .where('model_name', '=', model)
        .where('version', '=', version)
        .where('lifecycle', '=', expected)
        .where('artifact_collected_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw new AppError(
          'LIFECYCLE_CONFLICT',
          `${model} ${version} is no longer ${expected}: another request changed it; read it again and retry`,
        );
      }
      await appendAudit(trx, next.at, audit);
      // other replicas re-read the deprecated versions (their Deprecation headers) at once
      await recordChange(trx, { kind: 'version', model, version, at: next.at });
    });
  }

  async deprecatedVersions(): Promise<DeprecatedVersion[]> {
    const rows = await this.db
      .selectFrom('model_versions')
      .select(['model_name', 'version', 'lifecycle_changed_at', 'created_at', 'lifecycle_reason'])
      .where('lifecycle', '=', 'deprecated')
      .execute();
    return rows.map((r) => ({
      model: r.model_name,
      version: r.version,
      since: r.lifecycle_changed_at ?? r.created_at,
      reason: r.lifecycle_reason,
    }));
  }

  async archivedBefore(cutoff: string): Promise<ModelVersion[]> {
    const rows = await this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('lifecycle', '=', 'archived')
      .where('artifact_collected_at', 'is', null)
      .where('lifecycle_changed_at', '<=', cutoff)
      .orderBy('lifecycle_changed_at')
      .execute();
    return rows.map(toVersion);
  }

  async artifactReferences(): Promise<ArtifactReference[]> {
    const rows = await this.db
      .selectFrom('model_versions')
      .select(['model_name', 'version', 'files', 'artifact_collected_at'])
      .execute();
    return rows.map((r) => ({
      model: r.model_name,
      version: r.version,
      collected: r.artifact_collected_at !== null,
      files: JSON.parse(r.files) as ArtifactFile[],
    }));
  }

  async markCollected(model: string, version: string, at: string, audit: AuditInput): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await lockModel(trx, this.dialect, model);
      const aliased = await trx
        .selectFrom('aliases')
        .select('alias')
        .where('model_name', '=', model)
        .where('version', '=', version)
        .executeTakeFirst();
      if (aliased) return false;
      const result = await trx
        .updateTable('model_versions')
        .set({ artifact_collected_at: at })
        .where('model_name', '=', model)
        .where('version', '=', version)
        .where('lifecycle', '=', 'archived')
        .where('artifact_collected_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await appendAudit(trx, at, audit);
      return true;
    });
  }
}

async function refuseAliased(
  trx: Transaction<Database>,
  model: string,
  version: string,
  aliases: string[],
): Promise<void> {
  const rows = await trx
    .selectFrom('aliases')
    .select('alias')
    .where('model_name', '=', model)
    .where('version', '=', version)
    .where('alias', 'in', aliases)
    .execute();
  if (rows.length > 0) {
    const names = rows.map((r) => r.alias).join(' and ');
    throw new AppError(
      'VERSION_IN_USE',
      `${model} ${version} is ${names}: move the alias first (promote another version, or 'modelgate models stage ${model} --clear'), then archive it`,
    );
  }
}
