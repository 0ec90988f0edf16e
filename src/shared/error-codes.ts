/**
 * Every error the API can answer with, by stable code. The code is the contract: clients switch on
 * it, `docs/errors.md` documents it, and a test keeps the two in sync. Titles never vary per
 * occurrence (RFC 9457 §3.1.3); the occurrence goes in `detail`.
 */
export const ERROR_CODES = {
  MALFORMED_REQUEST: { status: 400, title: 'The request could not be parsed' },
  FORBIDDEN_JSON_KEY: { status: 400, title: 'The JSON body holds a key that is refused' },
  JSON_LIMIT_EXCEEDED: { status: 400, title: 'The JSON body exceeds a structural limit' },
  V2_BAD_REQUEST: { status: 400, title: 'The inference request does not fit the model' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, title: 'The Idempotency-Key header is malformed' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'The credentials lack the required scope' },
  NOT_FOUND: { status: 404, title: 'No such route' },
  MODEL_NOT_FOUND: { status: 404, title: 'Model not found' },
  VERSION_NOT_FOUND: { status: 404, title: 'Model version not found' },
  ROLLOUT_NOT_FOUND: { status: 404, title: 'Rollout not found' },
  REFERENCE_NOT_FOUND: { status: 404, title: 'The version has no reference profile' },
  API_KEY_NOT_FOUND: { status: 404, title: 'API key not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  VERSION_EXISTS: { status: 409, title: 'This model version already exists with other content' },
  NO_PREVIOUS_VERSION: { status: 409, title: 'There is no previous version to roll back to' },
  ALIAS_CONFLICT: { status: 409, title: 'The aliases changed concurrently' },
  ARTIFACT_INTEGRITY_FAILED: { status: 409, title: 'The stored artifact does not match its registered hash' },
  IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, title: 'A request with this Idempotency-Key is still running' },
  SECRET_NOT_REPLAYED: {
    status: 409,
    title: 'The request completed, but its response held a secret that is not replayed',
  },
  ROLLOUT_CONFLICT: { status: 409, title: 'The rollout cannot do that in its current state' },
  ROLLOUT_NOT_ALLOWED: { status: 409, title: 'Rollouts are not allowed now' },
  PROMOTION_POLICY_FAILED: { status: 409, title: 'The version does not meet the promotion policy' },
  VERSION_ARCHIVED: { status: 409, title: 'The model version is archived' },
  VERSION_IN_USE: { status: 409, title: 'The model version is in use by an alias or an active rollout' },
  ARTIFACT_COLLECTED: { status: 409, title: "The version's artifact was garbage-collected" },
  LIFECYCLE_CONFLICT: { status: 409, title: "The version's lifecycle changed concurrently" },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  VALIDATION_FAILED: { status: 422, title: 'The request failed validation' },
  MANIFEST_INVALID: { status: 422, title: 'The model manifest is invalid' },
  ARTIFACT_INVALID: { status: 422, title: 'The model artifact cannot be served' },
  DATA_INVALID: { status: 422, title: 'The data file cannot be used' },
  SMOKE_TEST_FAILED: { status: 422, title: 'The model version failed its smoke tests' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'This Idempotency-Key was used with another request',
  },
  OUTBOUND_URL_REFUSED: { status: 422, title: 'The URL is not allowed as an outbound target' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  AUTH_THROTTLED: { status: 429, title: 'Too many failed authentications from this address' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  INFERENCE_FAILED: { status: 500, title: 'Inference failed' },
  AUTH_UNAVAILABLE: { status: 503, title: 'Tokens cannot be verified right now' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable' },
  OVERLOADED: { status: 503, title: 'The server is overloaded' },
  RATE_LIMIT_UNAVAILABLE: { status: 503, title: 'Rate limits cannot be checked right now' },
  MODEL_NOT_READY: { status: 503, title: 'The model is not ready to serve' },
  SHUTTING_DOWN: { status: 503, title: 'The server is shutting down' },
  CIRCUIT_OPEN: { status: 503, title: 'The model version failed repeatedly and is paused' },
  INFERENCE_TIMEOUT: { status: 504, title: 'Inference took longer than the configured limit' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
