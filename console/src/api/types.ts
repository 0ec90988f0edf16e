// What the console reads from the public API (docs/api.md, /openapi.json): a consumer's view,
// only the fields it shows. The browser tests run against a server whose every answer is
// validated against the OpenAPI document, so these stay honest.

export type Scope = 'predict' | 'read' | 'admin';

export interface Whoami {
  id: string;
  name: string;
  kind: 'api_key' | 'jwt';
  scopes: Scope[];
  effective_scopes: Scope[];
}

export interface Aliases {
  production?: string;
  staging?: string;
  previous?: string;
}

export interface ModelSummary {
  name: string;
  created_at: string;
  aliases: Aliases;
  version_count: number;
  latest_version: string | null;
}

export interface Feature {
  name: string;
  type: string;
  min?: number;
  max?: number;
  values?: Array<string | number>;
  nullable: boolean;
  description?: string;
}

export interface SmokeTest {
  name?: string;
  input: Record<string, unknown>;
  expected: { label?: string | number; probabilities?: Record<string, number>; value?: number };
  tolerance?: number;
}

export interface Manifest {
  description?: string;
  changelog?: string;
  algorithm?: string;
  framework?: string;
  training_data_version?: string;
  git_commit?: string;
  trainer?: string;
  metrics?: Record<string, number>;
  smoke_tests?: SmokeTest[];
  intended_use?: string;
  limitations?: string;
  ethical_considerations?: string;
  [key: string]: unknown;
}

export interface VersionDetail {
  model: string;
  version: string;
  display_id: string;
  artifact_sha256: string;
  manifest_sha256: string;
  task: string;
  created_at: string;
  created_by: string;
  aliases: string[];
  loaded: boolean;
  files: Array<{ path: string; sha256: string; size: number; role: string }>;
  signature: { features: Feature[]; features_inferred: boolean; input_layout: string; labels?: string[] };
  manifest: Manifest;
}

export interface Stats {
  uptime_seconds: number;
  window_seconds: number;
  models: Array<{
    name: string;
    production: string | null;
    state: string;
    loaded_versions: Array<{ version: string; artifact_sha256: string; in_flight: number }>;
  }>;
  versions: Array<{
    model: string;
    version: string;
    requests: number;
    error_rate: number;
    client_error_rate: number;
    latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  }>;
}

export interface Ready {
  ready: boolean;
  models: Array<{ name: string; version: string | null; state: string; error?: string }>;
}

export interface Evaluation {
  id: string;
  data_sha256: string;
  data_name: string | null;
  label_column: string;
  rows: number;
  metrics: Record<string, number | null>;
  created_at: string;
  created_by: string;
}

export interface DriftColumn {
  feature: string;
  kind: 'numeric' | 'category';
  n_reference: number;
  n_live: number;
  psi: number | null;
  test: 'ks' | 'chi2';
  statistic: number | null;
  p_value: number | null;
  p_adjusted: number | null;
  verdict: string;
  bins: Array<{ label: string; reference: number; live: number }>;
}

export interface DriftReport {
  model: string;
  version: string;
  assessed_at: string;
  window: { kind: 'count' | 'time'; size: number; rows: number };
  reference: { rows: number; data_sha256: string };
  options: { min_samples: number; psi_watch: number; psi_act: number; alpha: number };
  summary: { drifted_features: string[]; watch_features: string[]; prediction_drifted: boolean };
  columns: DriftColumn[];
}

export type Step =
  | { type: 'smoke' }
  | { type: 'shadow'; percent: number; durationS: number }
  | { type: 'canary'; weight: number; durationS: number }
  | { type: 'pause' };

export interface Check {
  name: string;
  verdict: string;
  reason: string;
  baseline: Record<string, number>;
  candidate: Record<string, number>;
  threshold: Record<string, number>;
  statistic?: { name: string; value: number; p: number; alpha: number };
}

export interface Decision {
  id: number;
  at: string;
  step_index: number;
  look: number;
  verdict: string;
  action: string;
  checks: Check[];
}

export interface Arm {
  requests: number;
  errors: number;
  labelled: number;
  correct: number;
  shadowCompared: number;
  shadowAgreed: number;
  predicted?: number;
}

export interface Rollout {
  id: string;
  model: string;
  candidate: string;
  baseline: string;
  strategy: string;
  state: string;
  step_index: number;
  steps: Step[];
  current_step: Step | null;
  step_started_at: string;
  interval_seconds: number;
  reason: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface RolloutDetail extends Rollout {
  window: { stable: Arm; candidate: Arm } | null;
  decisions: Decision[];
}

export interface AuditEvent {
  id: number;
  at: string;
  principal: string;
  action: string;
  model: string | null;
  version: string | null;
  before: unknown;
  after: unknown;
}

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}
