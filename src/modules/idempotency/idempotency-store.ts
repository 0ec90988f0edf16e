/**
 * Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header). A record is identified by
 * (principal, method, route, key); it holds the request's fingerprint and, once the first request
 * finished, its response. Memory in embedded mode, the database in cluster mode; a Redis store can
 * implement the same three calls.
 */
export interface IdempotencyId {
  principal: string;
  method: string;
  /** The route pattern, e.g. `/v1/models/:name/predict`. */
  route: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  contentType: string;
  body: string;
  /** Headers that belong to the answer (e.g. Location); never credentials. */
  headers: Record<string, string>;
}

export type ClaimResult =
  /** No live record: this request runs, and must end with complete() or release(). */
  | { kind: 'claimed' }
  /** The first request with this key is still running (whatever this request's body). */
  | { kind: 'running' }
  /** The key was used with another request (fingerprint differs). */
  | { kind: 'mismatch' }
  /** The first request finished: answer with its stored response. */
  | { kind: 'replay'; response: StoredResponse };

export interface IdempotencyStore {
  /**
   * Atomically claims the key, or reports what holds it. A running claim older than `lockMs`
   * (its process died) and a record past its expiry count as absent.
   */
  claim(id: IdempotencyId, fingerprint: string, nowMs: number, lockMs: number): Promise<ClaimResult>;
  /** Stores the response of a claimed request until `expiresAtMs`. */
  complete(id: IdempotencyId, response: StoredResponse, expiresAtMs: number): Promise<void>;
  /** Forgets a claim whose request was not executed (rejected before it ran): it may be retried. */
  release(id: IdempotencyId): Promise<void>;
}
