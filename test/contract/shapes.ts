import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MatchersV3 } from '@pact-foundation/pact';
import { DEMO } from '../helpers/server.js';

/**
 * Matchers for the bodies the typed client reads. Each shape lists the fields its TypeScript type
 * in src/client declares, matched by type or pattern: ids, hashes, times and probabilities vary
 * from run to run, so the contract fixes only what the client relies on.
 */
const { datetime, eachLike, integer, like, nullValue, regex, uuid } = MatchersV3;

export const MODEL = 'breast-cancer';

/** The key the consumer side sends; the provider side swaps in the real admin key. */
export const CONSUMER_KEY = 'mg_contract0001_notarealsecret';
export const AUTH = { Authorization: regex('^Bearer mg_.+', `Bearer ${CONSUMER_KEY}`) };

export const INSTANCE = (
  JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
    instances: Array<Record<string, number>>;
  }
).instances[0]!;
/** The same instance as one FP32 row for the V2 protocol (feature order of the manifest). */
export const ROW = Object.values(INSTANCE);
export const V2_INPUT = { name: 'input', shape: [1, 30], datatype: 'FP32', data: ROW };

export const iso = (example = '2026-11-23T10:00:00.000Z') => datetime("yyyy-MM-dd'T'HH:mm:ss.SSSX", example);
export const sha256 = (example = 'a'.repeat(64)) => regex('^[0-9a-f]{64}$', example);
export const semver = (example: string) => regex('^\\d+\\.\\d+\\.\\d+', example);
export const ROLLOUT_ID = 'ro_0123456789abcdef';
export const KEY_ID = 'contract0001';

export const problem = (status: number, code: string, errors?: unknown) => ({
  type: regex(
    '^urn:modelgate:problem:[a-z-]+$',
    `urn:modelgate:problem:${code.toLowerCase().replaceAll('_', '-')}`,
  ),
  title: like('A title fixed per code'),
  status,
  detail: like('what went wrong this time'),
  code,
  request_id: uuid('6f1c8a4e-8c1b-4d5e-9f00-123456789abc'),
  ...(errors === undefined ? {} : { errors }),
});
// pact-rust matches a header regex against the whole value (parameters included): anchor both ends
export const PROBLEM_HEADERS = {
  'Content-Type': regex('^application/problem\\+json(;.*)?$', 'application/problem+json; charset=utf-8'),
};

export const aliases = (production: string, previous?: string) => ({
  production: semver(production),
  ...(previous === undefined ? {} : { previous: semver(previous) }),
});

export const modelSummary = {
  name: MODEL,
  created_at: iso(),
  aliases: like(aliases('1.0.0')),
  version_count: integer(2),
  latest_version: semver('1.1.0'),
};

export const versionSummary = {
  version: semver('1.1.0'),
  display_id: like('breast-cancer-v1.1.0-20261123-1000'),
  artifact_sha256: sha256(),
  task: like('binary-classification'),
  created_at: iso(),
  created_by: like('key:contract0001'),
  changelog: like('Retrained'),
};

export const versionDetail = (version: string) => ({
  model: MODEL,
  version,
  display_id: like(`breast-cancer-v${version}-20261123-1000`),
  artifact_sha256: sha256(),
  manifest_sha256: sha256(),
  task: like('binary-classification'),
  created_at: iso(),
  created_by: like('key:contract0001'),
  aliases: eachLike('production'),
  loaded: like(true),
  files: eachLike({ path: 'model.onnx', sha256: sha256(), size: integer(118288), role: 'model' }),
  signature: {
    features: eachLike({ name: 'mean_radius', type: 'number', nullable: like(false), min: 0, max: 60 }),
    features_inferred: like(false),
    input_layout: like('matrix'),
    labels: eachLike('malignant'),
  },
  manifest: like({ name: MODEL, version }),
});

export const prediction = (version: string) => ({
  model: MODEL,
  version,
  artifact_sha256: sha256(),
  prediction_id: uuid('0b5b1f7e-2c7a-4a55-8d0e-5a1c2b3d4e5f'),
  predictions: eachLike({
    label: regex('^(malignant|benign)$', 'malignant'),
    probabilities: like({ malignant: 0.98, benign: 0.02 }),
  }),
});

export const key = (revoked: boolean) => ({
  id: regex('^[A-Za-z0-9]{8,32}$', KEY_ID),
  name: like('ci'),
  scopes: eachLike('predict'),
  created_at: iso(),
  created_by: like('key:contract0001'),
  revoked_at: revoked ? iso() : nullValue(),
});

export const rollout = (state: string) => ({
  id: regex('^ro_[0-9a-f]{16}$', ROLLOUT_ID),
  model: MODEL,
  candidate: '1.1.0',
  baseline: '1.0.0',
  strategy: like('canary'),
  state,
  step_index: integer(0),
  steps: eachLike({ type: like('smoke') }),
  current_step: like({ type: 'smoke' }),
  step_started_at: iso(),
  reason: state === 'running' ? nullValue() : like('paused by key:contract0001'),
  created_at: iso(),
  ended_at: nullValue(),
});

const counts = { requests: integer(0), errors: integer(0) };
/** GET /v1/rollouts/{id} and the actions add the live window and the decisions. */
export const rolloutDetail = (state: string) => ({
  ...rollout(state),
  window: like({ stable: counts, candidate: counts }),
  decisions: [],
});
