import type { Selectable, Transaction } from 'kysely';
import semver from 'semver';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { recordChange } from '../../store/change-log.js';
import type { Db, Dialect } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import { appendAudit, type AuditInput } from '../audit/audit.js';
import type { ReferenceRecord } from '../monitoring/reference-data.js';
import type { Profile } from '../monitoring/reference-profile.js';
import type { Task } from './manifest.js';
import type { RegistryStore } from './registry-store.js';
import { refuseArchivedTargets } from './refuse-archived.js';
import {
  ALIASES,
  sameAliases,
  type AliasName,
  type Aliases,
  type LifecycleState,
  type ModelSummary,
  type ModelVersion,
} from './types.js';

type VersionRow = Selectable<Database['model_versions']>;

export class SqlRegistryStore implements RegistryStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
  ) {}

  async getModel(name: string) {
    const row = await this.db.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? { name: row.name, createdAt: row.created_at } : undefined;
  }

  async listModels(): Promise<ModelSummary[]> {
    const [models, versions, aliases] = await Promise.all([
      this.db.selectFrom('models').selectAll().orderBy('name').execute(),
      this.db.selectFrom('model_versions').select(['model_name', 'version', 'lifecycle']).execute(),
      this.allAliases(),
    ]);
    const byModel = new Map<string, string[]>();
    const states = new Map<string, Record<LifecycleState, number>>();
    for (const v of versions) {
      byModel.set(v.model_name, [...(byModel.get(v.model_name) ?? []), v.version]);
      const counts = states.get(v.model_name) ?? { active: 0, deprecated: 0, archived: 0 };
      counts[v.lifecycle as LifecycleState]++;
      states.set(v.model_name, counts);
    }
    return models.map((m) => {
      const list = byModel.get(m.name) ?? [];
      return {
        versionStates: states.get(m.name) ?? { active: 0, deprecated: 0, archived: 0 },
        name: m.name,
        createdAt: m.created_at,
        aliases: aliases.get(m.name) ?? {},
        versionCount: list.length,
        latestVersion: list.sort(semver.rcompare)[0],
      };
    });
  }

  async getVersion(model: string, version: string): Promise<ModelVersion | undefined> {
    const row = await this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_name', '=', model)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  async listVersions(model: string): Promise<ModelVersion[]> {
    const rows = await this.db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_name', '=', model)
      .execute();
    return rows.map(toVersion).sort((a, b) => semver.rcompare(a.version, b.version));
  }

  async insertVersion(
    v: ModelVersion,
    reference: ReferenceRecord | undefined,
    audit: AuditInput,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('models')
        .values({ name: v.model, created_at: v.createdAt, created_by: v.createdBy })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const result = await trx
        .insertInto('model_versions')
        .values({
          model_name: v.model,
          version: v.version,
          display_id: v.displayId,
          artifact_sha256: v.artifactSha256,
          manifest_sha256: v.manifestSha256,
          files: JSON.stringify(v.files),
          manifest: JSON.stringify(v.manifest),
          signature: JSON.stringify(v.signature),
          task: v.task,
          created_at: v.createdAt,
          created_by: v.createdBy,
          lifecycle: v.lifecycle.state,
          lifecycle_reason: v.lifecycle.reason,
          lifecycle_changed_at: v.lifecycle.changedAt,
          lifecycle_changed_by: v.lifecycle.changedBy,
          artifact_collected_at: v.lifecycle.artifactCollectedAt,
        })
        .onConflict((oc) => oc.columns(['model_name', 'version']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      if (reference) {
        await trx
          .insertInto('reference_profiles')
          .values({
            model_name: v.model,
            version: v.version,
            data_path: reference.path,
            data_sha256: reference.dataSha256,
            rows: reference.rows,
            profile: JSON.stringify(reference.profile),
            created_at: v.createdAt,
          })
          .execute();
      }
      await appendAudit(trx, v.createdAt, audit);
      await recordChange(trx, { kind: 'version', model: v.model, version: v.version, at: v.createdAt });
      return true;
    });
  }

  async getReference(model: string, version: string): Promise<ReferenceRecord | undefined> {
    const row = await this.db
      .selectFrom('reference_profiles')
      .selectAll()
      .where('model_name', '=', model)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      path: row.data_path,
      dataSha256: row.data_sha256,
      rows: Number(row.rows),
      profile: JSON.parse(row.profile) as Profile,
    };
  }

  async getAliases(model: string): Promise<Aliases> {
    const rows = await this.db
      .selectFrom('aliases')
      .select(['alias', 'version'])
      .where('model_name', '=', model)
      .execute();
    return toAliases(rows);
  }

  async allAliases(): Promise<Map<string, Aliases>> {
    const rows = await this.db.selectFrom('aliases').select(['model_name', 'alias', 'version']).execute();
    const out = new Map<string, Aliases>();
    for (const r of rows)
      out.set(r.model_name, { ...out.get(r.model_name), [r.alias as AliasName]: r.version });
    return out;
  }

  async replaceAliases(model: string, expected: Aliases, next: Aliases, audit: AuditInput): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await this.#lockModel(trx, model);
      const rows = await trx
        .selectFrom('aliases')
        .select(['alias', 'version'])
        .where('model_name', '=', model)
        .execute();
      if (!sameAliases(toAliases(rows), expected)) {
        throw new AppError(
          'ALIAS_CONFLICT',
          `the aliases of '${model}' changed while this request ran; retry it`,
        );
      }
      await refuseArchivedTargets(trx, model, next);
      await trx.deleteFrom('aliases').where('model_name', '=', model).execute();
      const values = ALIASES.filter((a) => next[a] !== undefined).map((alias) => ({
        model_name: model,
        alias,
        version: next[alias]!,
        updated_at: at,
        updated_by: audit.principal,
      }));
      if (values.length > 0) await trx.insertInto('aliases').values(values).execute();
      await appendAudit(trx, at, audit);
      // last: it takes the change-order lock, held until commit
      await recordChange(trx, { kind: 'aliases', model, version: next.production, at });
    });
  }

  /** Serialises alias changes of one model across replicas (PostgreSQL row lock; SQLite has one writer). */
  async #lockModel(trx: Transaction<Database>, model: string): Promise<void> {
    await lockModel(trx, this.dialect, model);
  }
}

/**
 * Serialises alias and lifecycle changes of one model across replicas (PostgreSQL row lock;
 * SQLite has one writer).
 */
export async function lockModel(trx: Transaction<Database>, dialect: Dialect, model: string): Promise<void> {
  if (dialect === 'postgres') {
    await trx.selectFrom('models').select('name').where('name', '=', model).forUpdate().execute();
  }
}

function toAliases(rows: Array<{ alias: string; version: string }>): Aliases {
  const out: Aliases = {};
  for (const r of rows) out[r.alias as AliasName] = r.version;
  return out;
}

export function toVersion(r: VersionRow): ModelVersion {
  return {
    model: r.model_name,
    version: r.version,
    displayId: r.display_id,
    artifactSha256: r.artifact_sha256,
    manifestSha256: r.manifest_sha256,
    files: JSON.parse(r.files) as ModelVersion['files'],
    manifest: JSON.parse(r.manifest) as ModelVersion['manifest'],
    signature: JSON.parse(r.signature) as ModelVersion['signature'],
    task: r.task as Task,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lifecycle: {
      state: r.lifecycle as LifecycleState,
      reason: r.lifecycle_reason,
      changedAt: r.lifecycle_changed_at,
      changedBy: r.lifecycle_changed_by,
      artifactCollectedAt: r.artifact_collected_at,
    },
  };
}
