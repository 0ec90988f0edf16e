import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DEFAULT_DRIFT_OPTIONS } from '../modules/monitoring/drift-assessment.js';

/**
 * The whole configuration. Each key's description is its documentation: the README's config
 * table is generated from this schema and a test keeps the two in sync. `secret: true` keys may
 * also be read from the file named by `<ENV>_FILE`.
 */
export const ConfigSchema = Type.Object(
  {
    home: Type.String({
      default: './.modelgate',
      minLength: 1,
      description: 'Directory of the embedded SQLite database and content-addressed artifacts.',
    }),
    host: Type.String({ default: '127.0.0.1', minLength: 1, description: 'Address the HTTP server binds.' }),
    port: Type.Integer({
      default: 8080,
      minimum: 0,
      maximum: 65535,
      description: 'HTTP port (0 picks a free one).',
    }),
    workers: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 256,
      description:
        'Worker processes `serve` runs on the one port (node:cluster; `--workers`). 0: one per CPU available to the process (the cgroup CPU quota when lower than the cores). 1: a single process, no primary. More than one: a primary supervises them and they share state through the database and the primary (docs/adr/0015-workers.md).',
    }),
    databaseUrl: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        secret: true,
        env: ['MODELGATE_DATABASE_URL', 'DATABASE_URL'],
        description:
          'PostgreSQL URL. When set, the registry, keys, audit log and artifacts live in PostgreSQL (cluster mode).',
      }),
    ),
    databasePoolSize: Type.Integer({
      default: 10,
      minimum: 1,
      maximum: 200,
      description: 'Maximum PostgreSQL connections per process.',
    }),
    databaseConnectTimeoutMs: Type.Integer({
      default: 5000,
      minimum: 100,
      maximum: 600_000,
      description:
        'PostgreSQL: longest wait to open a connection or get one from the pool; past it the call answers 503 `DATABASE_UNAVAILABLE`.',
    }),
    databaseStatementTimeoutMs: Type.Integer({
      default: 30_000,
      minimum: 100,
      maximum: 3_600_000,
      description:
        'PostgreSQL: longest a statement may run (`statement_timeout`); the client also gives up on a server that does not answer (frozen, cut off) one second later. Past it: 503 `DATABASE_UNAVAILABLE`.',
    }),
    databaseIdleInTransactionTimeoutMs: Type.Integer({
      default: 60_000,
      minimum: 100,
      maximum: 3_600_000,
      description:
        'PostgreSQL: a session idle inside a transaction this long is ended by the server (`idle_in_transaction_session_timeout`), releasing its locks.',
    }),
    databaseStartRetryInitialMs: Type.Integer({
      default: 1000,
      minimum: 10,
      maximum: 600_000,
      description:
        'When the database cannot be reached at start: first wait before trying again (doubling up to `databaseStartRetryMaxMs`). Meanwhile `/health` answers 200 and `/ready` 503.',
    }),
    databaseStartRetryMaxMs: Type.Integer({
      default: 30_000,
      minimum: 10,
      maximum: 3_600_000,
      description: 'Longest wait between two attempts to reach the database at start.',
    }),
    adminKey: Type.Optional(
      Type.String({
        pattern: '^mg_[A-Za-z0-9]{8,32}_[A-Za-z0-9_-]{20,}$',
        secret: true,
        description:
          'Bootstrap admin API key (format of `modelgate keys generate`). When unset and no key exists, `serve` creates one and prints it once.',
      }),
    ),
    authCacheTtlMs: Type.Integer({
      default: 5000,
      minimum: 0,
      maximum: 600_000,
      description:
        'How long a verified API key is trusted without a database read. Revokes through any replica (or keys revoke --local) reach every replica through the change log within about a second, and within this time at the latest. 0 reads the database on every request.',
    }),
    authNegativeCacheTtlMs: Type.Integer({
      default: 3000,
      minimum: 0,
      maximum: 60_000,
      description:
        'How long an unknown API key id is remembered as unknown, so repeating a bad key costs no database read. A key created through this server works at once; one created elsewhere (another replica, keys create --local) within this time. 0 reads the database on every request.',
    }),
    jwtJwksUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'JWKS URL of the OAuth2 issuer whose access tokens (JWT) are accepted as bearer tokens beside API keys. Fetched through the outbound URL policy, cached, refreshed when a token names an unknown `kid`.',
      }),
    ),
    jwtPublicKey: Type.Optional(
      Type.String({
        minLength: 1,
        secret: true,
        description:
          'Instead of a JWKS URL: one PEM public key (SPKI or certificate) that signs the accepted tokens.',
      }),
    ),
    jwtIssuer: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Required `iss` of accepted tokens (needed when JWT is enabled).',
      }),
    ),
    jwtAudience: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Required `aud` of accepted tokens (needed when JWT is enabled).',
      }),
    ),
    jwtAlgorithms: Type.String({
      default: 'RS256,ES256,EdDSA',
      pattern:
        '^(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA)(,(RS256|RS384|RS512|PS256|PS384|PS512|ES256|ES384|ES512|EdDSA))*$',
      description:
        'Comma-separated signature algorithms accepted. Asymmetric only: `none` and HMAC are never accepted.',
    }),
    jwtClockSkewSeconds: Type.Integer({
      default: 30,
      minimum: 0,
      maximum: 300,
      description: 'Clock skew allowed when checking `exp` and `nbf`.',
    }),
    jwtScopePrefix: Type.String({
      default: '',
      description:
        "Prefix of modelgate scopes in the token's `scope` or `scp` claim: with `modelgate:`, `modelgate:predict` grants `predict`.",
    }),
    jwtJwksCooldownMs: Type.Integer({
      default: 30_000,
      minimum: 0,
      description: 'Shortest time between two JWKS refetches caused by tokens with an unknown `kid`.',
    }),
    outboundAllowHttp: Type.Boolean({
      default: false,
      description: 'Allow plain `http://` for outbound URLs (JWKS, webhooks). Off: https only.',
    }),
    outboundAllowPrivateNetworks: Type.Boolean({
      default: false,
      description:
        'Allow outbound URLs that resolve to loopback, private, link-local or other non-public addresses.',
    }),
    rateLimitPredictPerMinute: Type.Integer({
      default: 6000,
      minimum: 0,
      description: 'Predict requests per principal per minute (0: unlimited).',
    }),
    rateLimitReadPerMinute: Type.Integer({
      default: 1200,
      minimum: 0,
      description: 'Read requests (model listings, audit) per principal per minute (0: unlimited).',
    }),
    rateLimitAdminPerMinute: Type.Integer({
      default: 120,
      minimum: 0,
      description: 'Admin requests (register, promote, keys) per principal per minute (0: unlimited).',
    }),
    rateLimitAuthFailuresPerMinute: Type.Integer({
      default: 30,
      minimum: 0,
      description:
        'Failed authentications (401) allowed per client address per minute. Past it, every request from that address that needs credentials is answered 429 (AUTH_THROTTLED, with Retry-After) until the minute ends, before its credentials are checked; public routes still answer. IPv6 clients count per /64. 0: unlimited.',
    }),
    redisUrl: Type.Optional(
      Type.String({
        pattern: '^rediss?://',
        secret: true,
        env: ['MODELGATE_REDIS_URL', 'REDIS_URL'],
        description:
          'Redis URL (`redis://[:password@]host:6379/0`, `rediss://` for TLS). When set, per-principal rate limits and the failed-authentication throttle count in Redis, so their limits hold across all replicas; unset, each process counts alone.',
      }),
    ),
    redisKeyPrefix: Type.String({
      default: 'modelgate:',
      maxLength: 100,
      description: 'Prefix of every Redis key modelgate writes (several deployments may share one Redis).',
    }),
    redisCommandTimeoutMs: Type.Integer({
      default: 250,
      minimum: 10,
      maximum: 10_000,
      description:
        'Longest a request waits for Redis (one counter update); past it, or at once while the connection is down, the request is handled as `rateLimitFailOpen` says.',
    }),
    rateLimitFailOpen: Type.Boolean({
      default: true,
      description:
        'When Redis does not answer: true lets requests through unlimited (counted in `modelgate_rate_limit_fail_open_total`, one log line per 10 s); false refuses requests that need credentials with 503 `RATE_LIMIT_UNAVAILABLE`.',
    }),
    trustProxy: Type.String({
      default: '',
      description:
        'Comma-separated addresses or CIDR ranges of the reverse proxies in front of modelgate (or `loopback`, `linklocal`, `uniquelocal`). The client address (for failed-authentication limits and logs) is then the last X-Forwarded-For hop not in this list. Empty: X-Forwarded-For is ignored and the client is the socket peer; behind a proxy every client then shares its address.',
    }),
    idempotencyTtlSeconds: Type.Integer({
      default: 86_400,
      minimum: 60,
      maximum: 2_592_000,
      description: 'How long a completed Idempotency-Key is remembered and replayed.',
    }),
    idempotencyMemoryMaxBytes: Type.Integer({
      default: 33_554_432,
      minimum: 65_536,
      description:
        'Embedded mode: memory the Idempotency-Key records (with their stored responses) may take, in bytes. Past it the oldest records are forgotten early (counted in `modelgate_memory_dropped_total`): a retry of such a request runs again.',
    }),
    corsOrigins: Type.String({
      default: '',
      description:
        'Comma-separated origins allowed to call the API from a browser (CORS). Empty: CORS is off.',
    }),
    maxJsonDepth: Type.Integer({
      default: 32,
      minimum: 2,
      maximum: 1000,
      description: 'Deepest nesting of arrays and objects accepted in a JSON body.',
    }),
    maxStringLength: Type.Integer({
      default: 10_000,
      minimum: 16,
      description: 'Longest string accepted anywhere in a JSON body, in characters.',
    }),
    requestTimeoutMs: Type.Integer({
      default: 30_000,
      minimum: 0,
      description: 'Time allowed to receive a whole request (headers and body); 0 disables.',
    }),
    inferenceTimeoutMs: Type.Integer({
      default: 10_000,
      minimum: 1,
      description: 'Longest an inference call may take; a slower answer is discarded with a 504.',
    }),
    loadShedEventLoopDelayMs: Type.Integer({
      default: 1000,
      minimum: 0,
      description:
        'Shed inference requests (503 with Retry-After) while the event loop lags more than this; every other request (admin, read, feedback, probes) still answers. 0 disables.',
    }),
    loadShedMaxRssBytes: Type.Integer({
      default: 0,
      minimum: 0,
      description:
        'Shed inference requests while the resident set size is above this many bytes; 0 disables.',
    }),
    metricsPublic: Type.Boolean({
      default: false,
      description:
        'Serve `/metrics` without credentials (for a Prometheus that cannot send a bearer token). Off: it needs a key with the `read` scope.',
    }),
    apiDocs: Type.Boolean({
      default: true,
      description:
        'Serve the OpenAPI 3.1 document at `/openapi.json` and the interactive API page at `/docs` (public: they describe the API, never its data). Off: both answer 404.',
    }),
    console: Type.Boolean({
      default: true,
      description:
        'Serve the web console at `/console` (its page and assets are public; every call it makes needs the signed-in credential). Off: `/console` answers 404.',
    }),
    metricsPort: Type.Integer({
      default: 0,
      minimum: 0,
      maximum: 65535,
      description:
        'Serve `/metrics` (without credentials) on this separate port, bound to `host`, e.g. for a cluster-internal scrape. 0: only on the main port.',
    }),
    statsWindowSeconds: Type.Integer({
      default: 300,
      minimum: 10,
      maximum: 86_400,
      description: 'Sliding window of `GET /stats` (request counts, error rates, latency percentiles).',
    }),
    mallocTrimSeconds: Type.Integer({
      default: 10,
      minimum: 0,
      maximum: 3600,
      description:
        "Every this many seconds, hand the memory that glibc's malloc holds free back to the system (`malloc_trim`; about 20 MB after load). 0, or without the optional addon (not glibc, no C compiler at install): never.",
    }),
    logPredictionInputs: Type.Boolean({
      default: false,
      description:
        'Log the feature values of each predict request (debug aid; they may be personal data). Off: never logged.',
    }),
    predictionLog: Type.Boolean({
      default: true,
      description:
        'Log every prediction (outputs, version, variant, ids) in the database, in batches off the request path, so feedback can be joined to it. Off: feedback and the accuracy check of rollouts are unavailable.',
    }),
    predictionLogMaxQueueBytes: Type.Integer({
      default: 33_554_432,
      minimum: 65_536,
      description:
        'Memory the prediction log may hold for rows not yet written, in bytes (serialised size). When the database cannot keep up, the oldest waiting rows are dropped and counted in `modelgate_memory_dropped_total`; responses never wait.',
    }),
    predictionLogMaxAgeHours: Type.Integer({
      default: 168,
      minimum: 0,
      description:
        'Prediction log retention: rows older than this many hours are deleted with their feedback, in small batches off the request path (rows of active rollouts are kept). 0 keeps them forever.',
    }),
    predictionLogMaxRows: Type.Integer({
      default: 1_000_000,
      minimum: 0,
      description:
        'Prediction log retention: beyond this many rows the oldest are deleted, except rows with feedback (they age out) and rows of active rollouts. A row holds one request: its size grows with the instances in it. 0: no limit.',
    }),
    predictionLogRetentionIntervalSeconds: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 86_400,
      description: 'How often prediction log retention runs (and at start).',
    }),
    storePredictionInputs: Type.Boolean({
      default: false,
      description:
        'Store the feature values of each prediction in the prediction log (for later analysis; they may be personal data). Off: only outputs, version and ids are stored.',
    }),
    otelExporterOtlpEndpoint: Type.Optional(
      Type.String({
        pattern: '^https?://',
        env: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
        description:
          'OpenTelemetry OTLP/HTTP endpoint; when set, traces are exported to `<endpoint>/v1/traces`. Unset: tracing is off and costs nothing.',
      }),
    ),
    otelServiceName: Type.String({
      default: 'modelgate',
      minLength: 1,
      env: ['OTEL_SERVICE_NAME'],
      description: 'service.name of exported spans.',
    }),
    changePollMs: Type.Integer({
      default: 500,
      minimum: 10,
      maximum: 60_000,
      description:
        'How often a replica reads the change log (promotions, rollbacks, aliases, keys, rollouts made through any replica). On PostgreSQL a notification also wakes it at once; this is the fallback.',
    }),
    reconcileIntervalMs: Type.Integer({
      default: 5000,
      minimum: 100,
      maximum: 3_600_000,
      description:
        'How often a replica compares what it serves with the registry and reloads its key cache, repairing a missed change or a dropped notification connection.',
    }),
    rolloutTickMs: Type.Integer({
      default: 5000,
      minimum: 100,
      maximum: 600_000,
      description: 'How often the rollout controller reconciles (runs due analyses, advances steps).',
    }),
    leaderLeaseMs: Type.Integer({
      default: 15_000,
      minimum: 300,
      maximum: 600_000,
      description:
        'How long the rollout controller lease lasts (a row in the database with a fencing token): only its holder decides rollouts; it renews every third of this, and another replica takes over once it has expired (docs/adr/0013-rollout-leader-lease.md).',
    }),
    replicaId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "This replica's name in the controller lease, published windows and rollout decisions (`writer`). Default: `<hostname>-<pid>`, unique per process.",
      }),
    ),
    clusterPublishMs: Type.Integer({
      default: 1000,
      minimum: 50,
      maximum: 600_000,
      description:
        "How often each replica publishes its rollout arm windows and drift window counts to the database, where the leader judges the merge of every replica's.",
    }),
    clusterReplicaStaleMs: Type.Integer({
      default: 30_000,
      minimum: 100,
      maximum: 86_400_000,
      description:
        'Windows of a replica that has not published for this long are left out of the merged rollout and drift windows (a replica that stopped); ten times this, they are deleted.',
    }),
    driftWindow: Type.String({
      default: 'count:5000',
      description:
        'Live window drift is measured over, per model version: `count:N` (the last N predicted rows) or `time:D` (the last D, e.g. `time:1h`, units s, m, h, d).',
    }),
    driftMinSamples: Type.Integer({
      default: DEFAULT_DRIFT_OPTIONS.minSamples,
      minimum: 10,
      description: 'Live rows a feature needs in the window before it gets a drift verdict.',
    }),
    driftPsiWatch: Type.Number({
      default: DEFAULT_DRIFT_OPTIONS.psiWatch,
      minimum: 0,
      description: 'PSI from which a feature is marked `watch` (a moderate shift).',
    }),
    driftPsiAct: Type.Number({
      default: DEFAULT_DRIFT_OPTIONS.psiAct,
      minimum: 0,
      description:
        'PSI from which a feature is marked `drift` whatever the test says (a shift large enough to act on).',
    }),
    driftAlpha: Type.Number({
      default: DEFAULT_DRIFT_OPTIONS.alpha,
      exclusiveMinimum: 0,
      maximum: 0.5,
      description:
        'False discovery rate of the drift tests (KS, chi-square) across the features of a version, after Benjamini-Hochberg correction.',
    }),
    driftHeldMaxBytes: Type.Integer({
      default: 8_388_608,
      minimum: 65_536,
      description:
        "Memory the rows predicted while a version's reference profile is being read may take, per version, in bytes; rows beyond it are not counted in drift (counted in `modelgate_memory_dropped_total`).",
    }),
    driftMetricsMaxAgeSeconds: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 86_400,
      description:
        'How old a drift assessment may be when `/metrics` reports it; older ones are recomputed at the scrape.',
    }),
    promotionPolicy: Type.String({
      default: '',
      description:
        'Rules a version must meet to be promoted or rolled out, `;`-separated, against its latest evaluation: e.g. `roc_auc >= 0.95; roc_auc >= production - 0.01`. Empty: no policy.',
    }),
    maxDataBytes: Type.Integer({
      default: 52_428_800,
      minimum: 1024,
      description:
        'Largest data file read whole: a CSV body sent for an evaluation, or the reference data profiled at registration, in bytes.',
    }),
    rolloutWindows: Type.String({
      default: '',
      description:
        'Deployment windows in UTC, `;`-separated, e.g. `Mon-Fri 09:00-17:00`. Outside them a rollout is refused with the next opening. Empty: any time.',
    }),
    rolloutFreezes: Type.String({
      default: '',
      description:
        'Freeze periods, `,`-separated ISO intervals, e.g. `2026-12-20T00:00:00Z/2027-01-04T00:00:00Z`. No rollout starts inside one.',
    }),
    rolloutWebhookUrls: Type.String({
      default: '',
      description:
        'Comma-separated URLs that receive rollout events (started, step advanced, paused, promoted, rolled back) as signed JSON POSTs. Checked by the outbound URL policy.',
    }),
    rolloutWebhookSecret: Type.Optional(
      Type.String({
        minLength: 16,
        secret: true,
        description:
          'HMAC-SHA256 key for the `X-Modelgate-Signature` header of webhooks (`sha256=<hex>` of `<timestamp>.<body>`).',
      }),
    ),
    rolloutWebhookFormat: Type.Union([Type.Literal('json'), Type.Literal('slack')], {
      default: 'json',
      description: '`json` (modelgate events) or `slack` (a Slack-compatible `{"text"}` message).',
    }),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info', description: 'Log level (JSON lines on stdout).' },
    ),
    maxBodyBytes: Type.Integer({
      default: 1_048_576,
      minimum: 1024,
      description: 'Largest JSON request body accepted, in bytes.',
    }),
    maxInstancesPerRequest: Type.Integer({
      default: 1000,
      minimum: 1,
      maximum: 100_000,
      description: 'Largest number of instances in one predict request.',
    }),
    maxArtifactBytes: Type.Integer({
      default: 2_147_483_648,
      minimum: 1024,
      description: 'Largest model file accepted at registration, in bytes (each file of an artifact set).',
    }),
    maxLoadedVersions: Type.Integer({
      default: 8,
      minimum: 1,
      description:
        'Most model versions kept loaded at once. Production and previous versions always stay loaded; pinned versions are evicted least recently used.',
    }),
    integrityCheckIntervalSeconds: Type.Integer({
      default: 3600,
      minimum: 0,
      maximum: 604_800,
      description:
        'How often the stored artifacts of the loaded versions are re-hashed (streamed, off the request path); a change is logged and shown by `modelgate_artifact_integrity_ok`. 0 disables the periodic check (promote and rollback still re-hash).',
    }),
    inferenceThreads: Type.Integer({
      default: 1,
      minimum: 1,
      maximum: 64,
      description: 'ONNX Runtime intra-op threads per loaded version.',
    }),
    batchMaxRows: Type.Integer({
      default: 64,
      minimum: 1,
      maximum: 100_000,
      description:
        "Adaptive batching: concurrent requests to one version are run as one ONNX Runtime call of up to this many rows (a larger request runs alone, never split). 1 turns batching off. A manifest's `batching.max_rows` overrides it per version.",
    }),
    batchMaxWaitMs: Type.Number({
      default: 0,
      minimum: 0,
      maximum: 1000,
      description:
        "Adaptive batching: how long a request may wait for others, only while requests are concurrent (a lone request never waits). 0: requests that arrive in the same event-loop turn share a run, no timer. A manifest's `batching.max_wait_ms` overrides it.",
    }),
    gcHeapGrowingPercent: Type.Integer({
      default: 25,
      minimum: 0,
      maximum: 400,
      description:
        "How far V8's old generation may grow past the live data before the next full garbage collection, in percent (V8's `--heap-growing-percent`, set by `serve` at start). Lower keeps the resident memory close to the live data, at some CPU cost; 0 leaves V8's own heuristics, which let the heap grow up to 4× the live data under large requests. The young generation is sized by the Node option `--max-semi-space-size` (see docs/adr/0011-memory-bounds.md).",
    }),
    shutdownDrainMs: Type.Integer({
      default: 5_000,
      minimum: 0,
      maximum: 600_000,
      description:
        "On SIGTERM, how long the server keeps serving after `/ready` turned 503, so load balancers take it out of rotation before it stops listening; answers in that time carry `Connection: close`. Set it to at least the load balancer's health-check interval × failures to mark a backend down (the default is the readiness probe period of deploy/k8s). SIGINT (Ctrl-C) and a second signal skip it.",
    }),
    shutdownTimeoutMs: Type.Integer({
      default: 10_000,
      minimum: 0,
      description:
        'On SIGTERM, after the drain (`shutdownDrainMs`), how long in-flight requests may take before the process exits.',
    }),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;
export type ConfigKey = keyof Static<typeof ConfigSchema>;

export interface ConfigKeyInfo {
  key: ConfigKey;
  /** Environment variables read for the key, highest precedence first. */
  env: string[];
  /** Name of the key in a config file. */
  fileKey: string;
  secret: boolean;
  schema: TSchema;
  optional: boolean;
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export function configKeys(): ConfigKeyInfo[] {
  const required = new Set<string>(ConfigSchema.required ?? []);
  return Object.entries(ConfigSchema.properties).map(([key, schema]) => {
    const s = schema as TSchema & { env?: string[]; secret?: boolean };
    return {
      key: key as ConfigKey,
      env: s.env ?? ['MODELGATE_' + snake(key).toUpperCase()],
      fileKey: snake(key),
      secret: s.secret === true,
      schema: s,
      optional: !required.has(key),
    };
  });
}
