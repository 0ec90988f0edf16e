import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
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
}

/** An error answer from the server, with its stable problem code. */
export class ModelgateApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: Array<{ pointer: string; detail: string }>;
  readonly requestId: string | undefined;

  constructor(status: number, problem: Partial<Problem>) {
    super(`${problem.code ?? 'HTTP_' + status}: ${problem.detail ?? problem.title ?? 'request failed'}`);
    this.name = 'ModelgateApiError';
    this.status = status;
    this.code = problem.code ?? `HTTP_${status}`;
    this.detail = problem.detail ?? problem.title ?? 'request failed';
    this.errors = problem.errors ?? [];
    this.requestId = problem.request_id;
  }
}

/** The server could not be reached at all. */
export class ModelgateConnectionError extends Error {
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

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  health(): Promise<{ status: 'ok'; uptime_seconds: number }> {
    return this.#request('GET', '/health');
  }

  /** Readiness document; resolves for both 200 (ready) and 503 (not ready). */
  ready(): Promise<ReadyBody> {
    return this.#request('GET', '/ready', undefined, { accept: [200, 503] });
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

  /** Uploads a manifest (YAML or JSON) and every file it lists, read from beside it. */
  async registerVersion(manifestPath: string): Promise<RegisterResponse> {
    const text = await readFile(manifestPath, 'utf8');
    const manifest = parseYaml(text) as { name?: unknown; artifact?: unknown; external_data?: unknown };
    if (typeof manifest?.name !== 'string' || typeof manifest.artifact !== 'string') {
      throw new Error(`${manifestPath} must name the model ('name') and its file ('artifact')`);
    }
    const form = new FormData();
    form.append('manifest', text);
    const extra = Array.isArray(manifest.external_data)
      ? manifest.external_data.filter((p): p is string => typeof p === 'string')
      : [];
    for (const rel of [manifest.artifact, ...extra]) {
      form.append('file', await openAsBlob(join(dirname(manifestPath), rel)), rel);
    }
    return this.#request('POST', `/v1/models/${enc(manifest.name)}/versions`, form, { timeoutMs: 600_000 });
  }

  promote(name: string, version: string): Promise<AliasMoveResponse> {
    return this.#request('POST', `/v1/models/${enc(name)}/promote`, { version });
  }

  rollback(name: string, to?: string): Promise<AliasMoveResponse> {
    return this.#request('POST', `/v1/models/${enc(name)}/rollback`, to === undefined ? {} : { to });
  }

  setAlias(
    name: string,
    alias: 'staging',
    version: string | null,
  ): Promise<{ model: string; aliases: AliasMoveResponse['aliases'] }> {
    return this.#request('PUT', `/v1/models/${enc(name)}/aliases/${alias}`, { version });
  }

  verify(name: string, version: string): Promise<VerifyResponse> {
    return this.#request('POST', `/v1/models/${enc(name)}/versions/${enc(version)}/verify`);
  }

  predict(
    name: string,
    instances: Array<Record<string, unknown>>,
    options: { version?: string } = {},
  ): Promise<PredictResponse> {
    const path =
      options.version === undefined
        ? `/v1/models/${enc(name)}/predict`
        : `/v1/models/${enc(name)}/versions/${enc(options.version)}/predict`;
    return this.#request('POST', path, { instances });
  }

  createKey(name: string, scopes: Scope[]): Promise<CreatedKeyBody> {
    return this.#request('POST', '/v1/keys', { name, scopes });
  }

  async listKeys(): Promise<KeyBody[]> {
    return (await this.#request<{ keys: KeyBody[] }>('GET', '/v1/keys')).keys;
  }

  revokeKey(id: string): Promise<KeyBody> {
    return this.#request('DELETE', `/v1/keys/${enc(id)}`);
  }

  startRollout(
    model: string,
    body: { candidate: string; strategy?: 'canary' | 'shadow' | 'blue-green' | 'ab'; plan?: unknown },
  ): Promise<RolloutDetail> {
    return this.#request('POST', `/v1/models/${enc(model)}/rollouts`, body);
  }

  getRollout(id: string): Promise<RolloutDetail> {
    return this.#request('GET', `/v1/rollouts/${enc(id)}`);
  }

  async listRollouts(model: string): Promise<RolloutDetail[]> {
    return (await this.#request<{ rollouts: RolloutDetail[] }>('GET', `/v1/models/${enc(model)}/rollouts`))
      .rollouts;
  }

  rolloutAction(id: string, action: 'approve' | 'pause' | 'resume' | 'abort'): Promise<RolloutDetail> {
    return this.#request('POST', `/v1/rollouts/${enc(id)}/${action}`, {});
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
    options: { accept?: number[]; timeoutMs?: number } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const url = this.#base + path;
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
    const json = text.length > 0 ? safeParse(text) : undefined;
    if (res.ok || options.accept?.includes(res.status)) return json as T;
    throw new ModelgateApiError(res.status, json ?? {});
  }
}

const enc = encodeURIComponent;

function safeParse(text: string): Partial<Problem> {
  try {
    return JSON.parse(text) as Partial<Problem>;
  } catch {
    return { detail: text.slice(0, 300) };
  }
}
