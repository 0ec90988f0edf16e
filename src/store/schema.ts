import type { Generated } from 'kysely';

/**
 * Table shapes shared by SQLite and PostgreSQL. Times are ISO-8601 UTC strings (they sort as
 * text in both databases); structured values are JSON text.
 */
export interface Database {
  schema_migrations: { name: string; applied_at: string };
  models: { name: string; created_at: string; created_by: string };
  model_versions: {
    model_name: string;
    version: string;
    display_id: string;
    artifact_sha256: string;
    manifest_sha256: string;
    files: string;
    manifest: string;
    signature: string;
    task: string;
    created_at: string;
    created_by: string;
    /** 0011: active | deprecated | archived */
    lifecycle: string;
    lifecycle_reason: string | null;
    lifecycle_changed_at: string | null;
    lifecycle_changed_by: string | null;
    artifact_collected_at: string | null;
  };
  aliases: { model_name: string; alias: string; version: string; updated_at: string; updated_by: string };
  audit_events: {
    id: Generated<number>;
    at: string;
    principal: string;
    action: string;
    model_name: string | null;
    version: string | null;
    before: string | null;
    after: string | null;
  };
  api_keys: {
    id: string;
    name: string;
    key_hash: string;
    scopes: string;
    created_at: string;
    created_by: string;
    revoked_at: string | null;
  };
  idempotency_keys: {
    principal: string;
    method: string;
    route: string;
    key: string;
    fingerprint: string;
    state: 'running' | 'done';
    response: string | null;
    locked_until: number | string;
    expires_at: number | string;
  };
  rollouts: {
    id: string;
    model_name: string;
    candidate: string;
    baseline: string;
    strategy: string;
    plan: string;
    state: string;
    step_index: number;
    step_started_at: number | string;
    looks: number;
    max_looks: number;
    checkpoint: string;
    reason: string | null;
    created_by: string;
    created_at: string;
    updated_at: string;
    ended_at: string | null;
    revision: Generated<number>;
    previous_baseline: string | null;
  };
  rollout_decisions: {
    id: Generated<number>;
    rollout_id: string;
    at: string;
    step_index: number;
    look: number;
    verdict: string;
    action: string;
    checks: string;
    writer: Generated<string>;
  };
  leases: { name: string; holder: string; token: number | string; expires_at: number | string };
  cluster_replicas: { replica_id: string; seen_at: number | string };
  rollout_windows: {
    replica_id: string;
    window_key: string;
    rollout_id: string;
    stable: string;
    candidate: string;
    published_at: number | string;
  };
  drift_windows: {
    replica_id: string;
    model_name: string;
    version: string;
    epoch: number | string;
    pane: string;
    published_at: number | string;
  };
  predictions: {
    id: string;
    model_name: string;
    version: string;
    variant: string | null;
    rollout_id: string | null;
    at: string;
    outputs: string;
    inputs: string | null;
  };
  feedback: { prediction_id: string; idx: number; truth: string; at: string; principal: string };
  reference_profiles: {
    model_name: string;
    version: string;
    data_path: string;
    data_sha256: string;
    rows: number;
    profile: string;
    created_at: string;
  };
  evaluations: {
    id: string;
    model_name: string;
    version: string;
    data_sha256: string;
    data_name: string | null;
    label_column: string;
    rows: number;
    metrics: string;
    created_at: string;
    created_by: string;
  };
  changes: { seq: Generated<number>; kind: string; model: string | null; version: string | null; at: string };
  blobs: { sha256: string; size: number; chunks: number; created_at: string };
  blob_chunks: { sha256: string; seq: number; data: Uint8Array };
}
