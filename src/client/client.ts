import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { manifestUpload, readLocalFile } from './local-files.js';
import type {
  AliasMoveResponse,
  AuditPage,
  CreatedKeyBody,
  KeyBody,
  ModelDetailBody,
  ModelSummaryBody,
  PredictResponse,
  Problem,
  ReadyBody,
  RegisterResponse,
  VerifyResponse,
  VersionDetailBody,
} from '../http/schemas.js';
import type {
  DriftReportBody,
  EvaluationBody,
  ModelCardBody,
  ReadinessBody,
} from '../http/quality-schemas.js';
import type { GcResponse, LifecycleResponse } from '../http/lifecycle-schemas.js';
import type { WhoamiBody } from '../http/routes/whoami.js';
import type {
  V2InferRequest,
  V2InferResponse,
  V2ModelMetadata,
  V2ModelReady,
  V2ServerMetadata,
} from '../http/v2-schemas.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from './retry-policy.js';

export type Scope = 'predict' | 'read' | 'admin';

/** A rollout as the API shows it (`GET /v1/rollouts/{id}`). */
export interface RolloutDetail {
  id: string;
  model: string;
  candidate: string;
  baseline: string;
  strategy: string;
  state: string;
  step_index: number;
  steps: Array<Record<string, unknown>>;
  current_step: Record<string, unknown> | null;
  step_started_at: string;
  /** the plan's prediction-shift threshold; null: the check is off */
  max_prediction_psi: number | null;
  /** requests each judged arm needs in a step's window before the analysis judges it */
  min_requests: number;
  reason: string | null;
  created_at: string;
  ended_at: string | null;
  window?: { stable: Record<string, number>; candidate: Record<string, number> } | null;
  decisions?: Array<{
    at: string;
    step_index: number;
    look: number;
    verdict: string;
    action: string;
    checks: Array<{ name: string; verdict: string; reason: string }>;
    /** the replica that took the decision */
    writer?: string;
  }>;
}

export interface AuditFilter {
  model?: string;
  principal?: string;
  /** ISO 8601, inclusive */
  since?: string;
  /** ISO 8601, exclusive */
  until?: string;
  limit?: number;
  cursor?: string;
}

export interface ClientOptions {
  /** Server URL, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  apiKey?: string;
  /** Per-request timeout; default 30 s (registration uploads get 10 minutes). */
  timeoutMs?: number;
  /**
   * Retries of 429 and 503 answers (and 409 IDEMPOTENCY_KEY_IN_FLIGHT), honouring Retry-After:
   * default 3 retries, at most 30 s per wait, backoff from 500 ms (see retry-policy.ts).
   */
  retry?: Partial<RetryPolicy>;
  /**
   * Send a fresh `Idempotency-Key` with every write the server deduplicates (default true), so
   * that a retried write runs once. Off: such writes go without a key and are never retried.
   */
  idempotencyKeys?: boolean;
  /** How the client waits between attempts (tests inject a recorder). */
  sleep?: (ms: number) => Promise<void>;
}

/** An error answer from the server, with its stable problem code. */
export class ModelgateApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: Array<{ pointer: string; detail: string }>;
  readonly requestId: string | undefined;
  /** the answer's Retry-After header (when the client gave up waiting, or retries were used up) */
  readonly retryAfter: string | undefined;

  /** `problem`: a problem+json body, or the V2 protocol's `{"error"}` body */
  constructor(status: number, problem: Partial<Problem> & { error?: string }, retryAfter?: string) {
    const detail = problem.detail ?? problem.error ?? problem.title ?? 'request failed';
    super(`${problem.code ?? 'HTTP_' + status}: ${detail}`);
    this.name = 'ModelgateApiError';
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.detail = detail;
    this.errors = problem.errors ?? [];
    this.requestId = problem.request_id;
    this.retryAfter = retryAfter;
  }
}

/** The server could not be reached at all. */
export class ModelgateConnectionError extends Error {
  readonly code = 'SERVER_UNREACHABLE';

  constructor(url: string, cause: unknown) {
    // fetch wraps the socket error; when several addresses were tried it is an AggregateError
    const inner = (
      cause as { cause?: { code?: string; errors?: Array<{ code?: string }>; message?: string } }
    )?.cause;
    const reason =
      inner?.code ??
      inner?.errors?.[0]?.code ??
      inner?.message ??
      (cause as Error)?.message ??
      'unknown error';
    super(`cannot reach modelgate at ${url}: ${reason}`, { cause });
    this.name = 'ModelgateConnectionError';
  }
}

/** Typed client for the modelgate HTTP API (the CLI uses it for every remote call). */
export class ModelgateClient {
  readonly #base: string;
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #idempotencyKeys: boolean;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#idempotencyKeys = options.idempotencyKeys ?? true;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  health(): Promise<{ status: 'ok'; uptime_seconds: number }> {
    return this.#request('GET', '/health');
  }

  /** Readiness document; resolves for both 200 (ready) and 503 (not ready). */
  ready(): Promise<ReadyBody> {
    return this.#request('GET', '/ready', undefined, { accept: [200, 503] });
  }

  /** The caller's principal, its scopes and what they allow (any valid credential may ask). */
  whoami(): Promise<WhoamiBody> {
    return this.#request('GET', '/v1/whoami');
  }

  async listModels(): Promise<ModelSummaryBody[]> {
    return (await this.#request<{ models: ModelSummaryBody[] }>('GET', '/v1/models')).models;
  }

  getModel(name: string): Promise<ModelDetailBody> {
    return this.#request('GET', `/v1/models/${enc(name)}`);
  }

  async listVersions(name: string): Promise<VersionDetailBody[]> {
    return (await this.#request<{ versions: VersionDetailBody[] }>('GET', `/v1/models/${enc(name)}/versions`))
      .versions;
  }

  getVersion(name: string, version: string): Promise<VersionDetailBody> {
    return this.#request('GET', `/v1/models/${enc(name)}/versions/${enc(version)}`);
  }

  /**
   * Uploads a manifest (YAML or JSON) and every file it lists (model, external and reference data),
   * read from beside it. A file that is missing, unreadable or not a manifest throws
   * ModelgateLocalError naming it (and the line and column of a syntax error) before any request.
   */
  async registerVersion(manifestPath: string): Promise<RegisterResponse> {
    const { name, form } = await manifestUpload(manifestPath);
    return this.#request('POST', `/v1/models/${enc(name)}/versions`, form, {
      timeoutMs: 600_000,
      idempotent: true,
    });
  }

  /**
   * Makes a version production. With a promotion policy configured, a version that fails it is
   * refused (PROMOTION_POLICY_FAILED) unless an admin gives `overrideReason` (audited).
   */
  promote(
    name: string,
    version: string,
    options: { overrideReason?: string; idempotencyKey?: string } = {},
  ): Promise<AliasMoveResponse> {
    return this.#request(
      'POST',
      `/v1/models/${enc(name)}/promote`,
      {
        version,
        ...(options.overrideReason !== undefined ? { override_reason: options.overrideReason } : {}),
      },
      { idempotent: true, idempotencyKey: options.idempotencyKey },
    );
  }

  /** Runs a version over labelled CSV data (`label`: the true label's column) and records its metrics. */
  async evaluate(name: string, version: string, csvPath: string, label: string): Promise<EvaluationBody> {
    const q = new URLSearchParams({ label, data_name: basename(csvPath) });
    return this.#request(
      'POST',
      `/v1/models/${enc(name)}/versions/${enc(version)}/evaluations?${q.toString()}`,
      new CsvBody((await readLocalFile(csvPath)).toString('utf8')),
      { timeoutMs: 600_000 },
    );
  }

  async listEvaluations(name: string, version: string): Promise<EvaluationBody[]> {
    return (
      await this.#request<{ evaluations: EvaluationBody[] }>(
        'GET',
        `/v1/models/${enc(name)}/versions/${enc(version)}/evaluations`,
      )
    ).evaluations;
  }

  /** The version's model card, as Markdown or as a self-contained HTML page. */
  card(name: string, version: string, format: 'markdown' | 'html' = 'markdown'): Promise<string> {
    return this.#request(
      'GET',
      `/v1/models/${enc(name)}/versions/${enc(version)}/card?format=${format}`,
      undefined,
      {
        text: true,
      },
    );
  }

  /** The model card's fields as JSON: what the Markdown and HTML cards are drawn from. */
  /** The deployment-readiness checklist of a version (go/no-go). */
  readiness(name: string, version: string): Promise<ReadinessBody> {
    return this.#request('GET', `/v1/models/${enc(name)}/versions/${enc(version)}/readiness`);
  }

  cardData(name: string, version: string): Promise<ModelCardBody> {
    return this.#request('GET', `/v1/models/${enc(name)}/versions/${enc(version)}/card?format=json`);
  }

  /** Drift of a version's live traffic against its reference profile (production by default). */
  drift(name: string, version?: string): Promise<DriftReportBody> {
    const q = version === undefined ? '' : `?version=${enc(version)}`;
    return this.#request('GET', `/v1/models/${enc(name)}/drift${q}`);
  }

  rollback(name: string, to?: string): Promise<AliasMoveResponse> {
    return this.#request('POST', `/v1/models/${enc(name)}/rollback`, to === undefined ? {} : { to }, {
      idempotent: true,
    });
  }

  setAlias(
    name: string,
    alias: 'staging',
    version: string | null,
  ): Promise<{ model: string; aliases: AliasMoveResponse['aliases'] }> {
    return this.#request(
      'PUT',
      `/v1/models/${enc(name)}/aliases/${alias}`,
      { version },
      { idempotent: true },
    );
  }

  /** Deprecates, archives or restores a version, with a reason (audited). */
  changeLifecycle(
    name: string,
    version: string,
    transition: 'deprecate' | 'archive' | 'restore',
    reason: string,
  ): Promise<LifecycleResponse> {
    return this.#request(
      'POST',
      `/v1/models/${enc(name)}/versions/${enc(version)}/${transition}`,
      { reason },
      { idempotent: true },
    );
  }

  /** Garbage-collects archived versions' artifacts (a dry run unless `apply`). */
  gc(options: { olderThanSeconds?: number; apply?: boolean } = {}): Promise<GcResponse> {
    return this.#request('POST', '/v1/admin/gc', {
      ...(options.olderThanSeconds !== undefined ? { older_than_seconds: options.olderThanSeconds } : {}),
      apply: options.apply ?? false,
    });
  }

  verify(name: string, version: string): Promise<VerifyResponse> {
    return this.#request('POST', `/v1/models/${enc(name)}/versions/${enc(version)}/verify`);
  }

  predict(
    name: string,
    instances: Array<Record<string, unknown>>,
    options: { version?: string; idempotencyKey?: string } = {},
  ): Promise<PredictResponse> {
    const path =
      options.version === undefined
        ? `/v1/models/${enc(name)}/predict`
        : `/v1/models/${enc(name)}/versions/${enc(options.version)}/predict`;
    return this.#request(
      'POST',
      path,
      { instances },
      { repeatable: true, idempotencyKey: options.idempotencyKey },
    );
  }

  createKey(name: string, scopes: Scope[]): Promise<CreatedKeyBody> {
    return this.#request('POST', '/v1/keys', { name, scopes }, { idempotent: true });
  }

  async listKeys(): Promise<KeyBody[]> {
    return (await this.#request<{ keys: KeyBody[] }>('GET', '/v1/keys')).keys;
  }

  revokeKey(id: string): Promise<KeyBody> {
    return this.#request('DELETE', `/v1/keys/${enc(id)}`, undefined, { idempotent: true });
  }

  startRollout(
    model: string,
    body: {
      candidate: string;
      strategy?: 'canary' | 'shadow' | 'blue-green' | 'ab';
      plan?: unknown;
      /** an admin's reason to start although the promotion policy refuses the candidate */
      override_reason?: string;
    },
  ): Promise<RolloutDetail> {
    return this.#request('POST', `/v1/models/${enc(model)}/rollouts`, body, { idempotent: true });
  }

  getRollout(id: string): Promise<RolloutDetail> {
    return this.#request('GET', `/v1/rollouts/${enc(id)}`);
  }

  async listRollouts(model: string): Promise<RolloutDetail[]> {
    return (await this.#request<{ rollouts: RolloutDetail[] }>('GET', `/v1/models/${enc(model)}/rollouts`))
      .rollouts;
  }

  rolloutAction(id: string, action: 'approve' | 'pause' | 'resume' | 'abort'): Promise<RolloutDetail> {
    return this.#request('POST', `/v1/rollouts/${enc(id)}/${action}`, {}, { idempotent: true });
  }

  /** Open Inference Protocol (V2): server metadata. */
  v2ServerMetadata(): Promise<V2ServerMetadata> {
    return this.#request('GET', '/v2');
  }

  /** V2 model metadata (inputs and outputs from the ONNX graph) of production or of a version. */
  v2ModelMetadata(name: string, version?: string): Promise<V2ModelMetadata> {
    return this.#request('GET', v2Path(name, version, ''));
  }

  /** V2 model readiness; resolves for both 200 (ready) and 503 (not ready). */
  v2ModelReady(name: string, version?: string): Promise<V2ModelReady> {
    return this.#request('GET', v2Path(name, version, '/ready'), undefined, { accept: [200, 503] });
  }

  /**
   * V2 tensor inference. Without a version, rollout routing picks it; `routingKey` keeps a caller
   * on the same variant (sent as X-Routing-Key).
   */
  v2Infer(
    name: string,
    request: V2InferRequest,
    options: { version?: string; routingKey?: string; idempotencyKey?: string } = {},
  ): Promise<V2InferResponse> {
    return this.#request('POST', v2Path(name, options.version, '/infer'), request, {
      ...(options.routingKey ? { headers: { 'x-routing-key': options.routingKey } } : {}),
      repeatable: true,
      idempotencyKey: options.idempotencyKey,
    });
  }

  /** One page of the audit log, newest first; pass `cursor` = the previous page's `next_cursor`. */
  listAudit(filter: AuditFilter = {}): Promise<AuditPage> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.#request('GET', `/v1/audit${qs ? `?${qs}` : ''}`);
  }

  async #request<T>(
    method: string,
    path: string,
    body?: unknown,
    options: {
      /** error statuses answered with a readiness document (`ready: false`) instead of a problem */
      accept?: number[];
      timeoutMs?: number;
      headers?: Record<string, string>;
      /** the answer is text (Markdown, HTML), not JSON */
      text?: boolean;
      /** the route deduplicates by Idempotency-Key: send one (the same on every retry) */
      idempotent?: boolean;
      /**
       * safe to send twice without a key: a prediction changes nothing (a repeat only logs a second
       * prediction), so it is retried without making the server store every answer for a day
       */
      repeatable?: boolean;
      /** the caller's own key for this operation, instead of a fresh UUID */
      idempotencyKey?: string | undefined;
    } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    const key =
      options.idempotencyKey ?? (options.idempotent && this.#idempotencyKeys ? randomUUID() : undefined);
    if (key !== undefined) headers['idempotency-key'] = sfString(key);
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body instanceof CsvBody) {
      headers['content-type'] = 'text/csv';
      payload = body.text;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const url = this.#base + path;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: payload,
          signal: AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs),
        });
      } catch (err) {
        throw new ModelgateConnectionError(this.#base, err);
      }
      const text = await res.text();
      if (res.ok && options.text) return text as T;
      const json = text.length > 0 ? safeParse(text) : undefined;
      if (res.ok) return json as T;
      // a readiness answer (503 with `ready: false`), not a 503 problem such as load shedding
      if (options.accept?.includes(res.status) && typeof (json as { ready?: unknown })?.ready === 'boolean')
        return json as T;
      // V2 answers carry the stable code in a header beside their {"error"} body
      const code = res.headers.get('x-modelgate-error-code');
      const retryAfter = res.headers.get('retry-after') ?? undefined;
      const error = new ModelgateApiError(res.status, { ...(code ? { code } : {}), ...json }, retryAfter);
      const delay = retryDelayMs(
        {
          method,
          status: res.status,
          code: error.code,
          keyed: key !== undefined || options.repeatable === true,
          attempt,
          retryAfter,
        },
        this.#retry,
        Date.now(),
        Math.random(),
      );
      if (delay === undefined) throw error;
      await this.#sleep(delay);
    }
  }
}

const enc = encodeURIComponent;

/** A CSV request body (sent as text/csv). */
class CsvBody {
  constructor(readonly text: string) {}
}

/** An RFC 8941 sf-string, as the Idempotency-Key header wants it: in double quotes, with backslash and quote escaped. */
const sfString = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

const v2Path = (name: string, version: string | undefined, suffix: string) =>
  `/v2/models/${enc(name)}${version === undefined ? '' : `/versions/${enc(version)}`}${suffix}`;

function safeParse(text: string): Partial<Problem> & { error?: string } {
  try {
    return JSON.parse(text) as Partial<Problem> & { error?: string };
  } catch {
    return { detail: text.slice(0, 300) };
  }
}
