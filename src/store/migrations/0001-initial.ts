import { sql, type Kysely } from 'kysely';
import type { Migration } from '../migrate.js';

/** Registry, aliases, audit log, API keys and (cluster mode) artifact blobs. */
export const initial: Migration = {
  name: '0001_initial',
  async up(db: Kysely<unknown>, dialect) {
    await db.schema
      .createTable('models')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('model_versions')
      .addColumn('model_name', 'text', (c) => c.notNull().references('models.name'))
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('display_id', 'text', (c) => c.notNull())
      .addColumn('artifact_sha256', 'text', (c) => c.notNull())
      .addColumn('manifest_sha256', 'text', (c) => c.notNull())
      .addColumn('files', 'text', (c) => c.notNull())
      .addColumn('manifest', 'text', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('model_versions_pk', ['model_name', 'version'])
      .execute();

    await db.schema
      .createTable('aliases')
      .addColumn('model_name', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('aliases_pk', ['model_name', 'alias'])
      .addForeignKeyConstraint('aliases_version_fk', ['model_name', 'version'], 'model_versions', [
        'model_name',
        'version',
      ])
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('model_name', 'text')
      .addColumn('version', 'text')
      .addColumn('before', 'text')
      .addColumn('after', 'text')
      .execute();
    await db.schema
      .createIndex('audit_events_model_at')
      .on('audit_events')
      .columns(['model_name', 'at'])
      .execute();
    await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('blobs')
      .addColumn('sha256', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('chunks', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('blob_chunks')
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('data', dialect === 'postgres' ? sql`bytea` : 'blob', (c) => c.notNull())
      .addPrimaryKeyConstraint('blob_chunks_pk', ['sha256', 'seq'])
      .execute();
  },
};
