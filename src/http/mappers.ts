import type { Aliases, ModelSummary, ModelVersion } from '../modules/registry/types.js';
import { ALIASES } from '../modules/registry/types.js';
import type { ApiKeyRecord } from '../modules/security/api-key-store.js';
import { lifecycleBody } from './lifecycle-schemas.js';
import type { KeyBody, ModelSummaryBody, VersionDetailBody } from './schemas.js';

export function modelSummaryBody(m: ModelSummary): ModelSummaryBody {
  return {
    name: m.name,
    created_at: m.createdAt,
    aliases: m.aliases,
    version_count: m.versionCount,
    latest_version: m.latestVersion ?? null,
    version_states: m.versionStates,
  };
}

export function versionSummaryBody(v: ModelVersion) {
  return {
    version: v.version,
    display_id: v.displayId,
    artifact_sha256: v.artifactSha256,
    task: v.task,
    created_at: v.createdAt,
    created_by: v.createdBy,
    changelog: v.manifest.changelog,
    lifecycle: lifecycleBody(v),
  };
}

export function versionDetailBody(v: ModelVersion, aliases: Aliases, loaded: boolean): VersionDetailBody {
  return {
    model: v.model,
    version: v.version,
    display_id: v.displayId,
    artifact_sha256: v.artifactSha256,
    manifest_sha256: v.manifestSha256,
    task: v.task,
    created_at: v.createdAt,
    created_by: v.createdBy,
    aliases: ALIASES.filter((a) => aliases[a] === v.version),
    loaded,
    lifecycle: lifecycleBody(v),
    files: v.files,
    signature: v.signature,
    manifest: v.manifest,
  };
}

export function keyBody(r: ApiKeyRecord): KeyBody {
  return {
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    created_at: r.createdAt,
    created_by: r.createdBy,
    revoked_at: r.revokedAt,
  };
}
