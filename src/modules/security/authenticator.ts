import { AppError } from '../../shared/errors.js';
import { keyMatches, parseApiKey } from './api-key.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { looksLikeJwt, type JwtVerifier } from './jwt-verifier.js';
import { hasScope, type Principal, type RouteScope } from './scopes.js';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="modelgate"' };
/** Keys whose verification is remembered; past this the oldest is dropped. */
const MAX_VERIFIED = 1_000;

export interface BootstrapKey {
  key: string;
}

/**
 * Turns request credentials into a Principal. API keys are accepted in `Authorization: Bearer` or
 * `X-API-Key`, never in the URL; OAuth2 access tokens (JWT) in `Authorization: Bearer` when a
 * verifier is configured. Unknown, revoked and wrong keys get one and the same answer, so the
 * response does not tell an attacker which ids exist.
 */
export class Authenticator {
  readonly #bootstrap: { id: string; key: string } | undefined;
  /**
   * Presented keys that matched their record, by key: a client sends the same key on every
   * request, and hashing it each time was half of authentication's CPU (ADR 0018). An entry counts
   * only while the store answers with the very record object it was verified against: a revoke, a
   * new hash or new scopes come as a new record, which is verified again. Only keys that matched
   * enter, so a guesser cannot fill it; a lookup by the whole key compares no prefix.
   */
  readonly #verified = new Map<string, { record: ApiKeyRecord; principal: Principal }>();

  constructor(
    private readonly store: ApiKeyStore,
    bootstrap?: BootstrapKey,
    private readonly jwt?: JwtVerifier,
  ) {
    const parsed = bootstrap ? parseApiKey(bootstrap.key) : undefined;
    this.#bootstrap = parsed && bootstrap ? { id: parsed.id, key: bootstrap.key } : undefined;
  }

  async authenticate(
    authorization: string | undefined,
    apiKeyHeader: string | undefined,
  ): Promise<Principal> {
    const presented = credential(authorization, apiKeyHeader);
    const parsed = parseApiKey(presented);
    if (!parsed) {
      if (authorization !== undefined && looksLikeJwt(presented)) {
        if (this.jwt) return this.jwt.verify(presented);
        throw unauthenticated('bearer tokens (JWT) are not enabled on this server; use an API key');
      }
      throw unauthenticated('the credential is not a modelgate API key');
    }
    if (this.#bootstrap && parsed.id === this.#bootstrap.id) {
      if (presented === this.#bootstrap.key)
        return { id: `key:${parsed.id}`, name: 'bootstrap-admin', scopes: ['admin'] };
      throw unauthenticated('invalid or revoked API key');
    }
    const record = await this.store.get(parsed.id);
    if (!record || record.revokedAt !== null) throw unauthenticated('invalid or revoked API key');
    const verified = this.#verified.get(presented);
    if (verified?.record === record) return verified.principal;
    if (!keyMatches(presented, record.keyHash)) throw unauthenticated('invalid or revoked API key');
    // shared by the requests that present this key: frozen, so none can change another's
    const principal: Principal = Object.freeze({
      id: `key:${record.id}`,
      name: record.name,
      scopes: record.scopes,
    });
    if (verified === undefined && this.#verified.size >= MAX_VERIFIED) {
      this.#verified.delete(this.#verified.keys().next().value!);
    }
    this.#verified.set(presented, { record, principal });
    return principal;
  }

  authorize(principal: Principal, scope: RouteScope): void {
    if (scope !== 'any' && !hasScope(principal, scope)) {
      throw new AppError(
        'FORBIDDEN',
        `this operation needs the '${scope}' scope; the credential has ${principal.scopes.join(', ')}`,
      );
    }
  }
}

function credential(authorization: string | undefined, apiKeyHeader: string | undefined): string {
  if (authorization !== undefined) {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!m) throw unauthenticated('the Authorization header must be "Bearer <key>"');
    return m[1]!;
  }
  if (apiKeyHeader !== undefined) return apiKeyHeader.trim();
  throw unauthenticated('send an API key in the Authorization header ("Bearer <key>") or in X-API-Key');
}

function unauthenticated(detail: string): AppError {
  return new AppError('UNAUTHENTICATED', detail, { headers: CHALLENGE });
}
