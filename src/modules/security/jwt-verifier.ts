import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { AppError } from '../../shared/errors.js';
import { checkOutboundUrl, fetchWithPolicy, type OutboundPolicy } from '../../shared/outbound-url.js';
import { SCOPES, type Principal, type Scope } from './scopes.js';

/**
 * Asymmetric algorithms only. With no shared secret there is nothing an attacker can use to forge
 * an HMAC token with the public key (RS/HS confusion), and `none` is never accepted.
 */
export const ALLOWED_JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

export interface JwtVerifierOptions {
  /** JWKS endpoint; fetched through the outbound URL policy, cached, refreshed on an unknown `kid`. */
  jwksUrl?: string;
  /** Or one PEM public key (SPKI or certificate). */
  publicKeyPem?: string;
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  clockSkewSeconds: number;
  /** Scopes in the token are `<prefix>predict`, `<prefix>read`, `<prefix>admin`. */
  scopePrefix: string;
  /** Shortest time between two JWKS fetches triggered by unknown `kid`s. */
  jwksCooldownMs: number;
  outbound: OutboundPolicy;
}

/** OAuth2 bearer tokens (JWT access tokens) → Principal. */
export class JwtVerifier {
  readonly #key: JWTVerifyGetKey | KeyObject;

  constructor(private readonly options: JwtVerifierOptions) {
    const bad = options.algorithms.filter((a) => !(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(a));
    if (bad.length > 0 || options.algorithms.length === 0) {
      throw new Error(
        `JWT algorithms must be among ${ALLOWED_JWT_ALGORITHMS.join(', ')}; got ${bad.join(', ')}`,
      );
    }
    if (options.jwksUrl) {
      const url = checkOutboundUrl(options.jwksUrl, options.outbound);
      this.#key = createRemoteJWKSet(url, {
        cooldownDuration: options.jwksCooldownMs,
        timeoutDuration: 5000,
        [customFetch]: fetchWithPolicy(options.outbound),
      });
    } else if (options.publicKeyPem) {
      this.#key = createPublicKey(options.publicKeyPem);
    } else {
      throw new Error('JWT verification needs a JWKS URL or a public key');
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, this.#key as JWTVerifyGetKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      payload = result.payload;
    } catch (err) {
      throw tokenError(err);
    }
    const scopes = this.#scopes(payload);
    return { id: `jwt:${payload.sub!}`, name: payload.sub!, scopes };
  }

  #scopes(payload: JWTPayload): Scope[] {
    const raw = payload.scope ?? payload.scp;
    const granted =
      typeof raw === 'string'
        ? raw.split(' ')
        : Array.isArray(raw)
          ? raw.filter((s): s is string => typeof s === 'string')
          : [];
    const prefix = this.options.scopePrefix;
    return SCOPES.filter((s) => granted.includes(prefix + s));
  }
}

/** jose's errors → one clear, safe sentence each; never the token itself. */
function tokenError(err: unknown): AppError {
  const challenge = (error: string, description: string) => ({
    'www-authenticate': `Bearer realm="modelgate", error="${error}", error_description="${description}"`,
  });
  const unauthenticated = (detail: string) =>
    new AppError('UNAUTHENTICATED', detail, { headers: challenge('invalid_token', detail) });
  if (err instanceof errors.JWTExpired) return unauthenticated('the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return unauthenticated('the token is not meant for this audience');
    if (err.claim === 'iss') return unauthenticated('the token comes from an issuer that is not trusted');
    if (err.claim === 'nbf') return unauthenticated('the token is not valid yet');
    return unauthenticated(`the token's '${err.claim}' claim is missing or invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthenticated("the token's algorithm is not allowed");
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return unauthenticated("the token's signature is invalid");
  if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated('no trusted key matches the token');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || isFetchFailure(err)) {
    return new AppError('AUTH_UNAVAILABLE', 'the token issuer’s keys cannot be fetched right now', {
      headers: { 'retry-after': '5' },
    });
  }
  if (err instanceof errors.JOSEError || err instanceof TypeError)
    return unauthenticated('the token is malformed');
  return unauthenticated('the token is invalid');
}

function isFetchFailure(err: unknown): boolean {
  if (err instanceof AppError) return true; // the outbound URL policy refused the JWKS address
  if (err instanceof errors.JOSEError) return /JSON Web Key Set/.test(err.message);
  // network errors from the fetch: ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ...
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** A compact JWS: three base64url parts. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
