import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { Cleanup } from './server.js';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

export async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, publicPem: await exportSPKI(publicKey) };
}

export const ISSUER = 'https://idp.test.modelgate';
export const AUDIENCE = 'modelgate-api';

/** A real OAuth2 issuer for tests: its JWKS served over HTTP on loopback, keys that can rotate. */
export interface TestIssuer {
  jwksUrl: string;
  /** How many times the JWKS was fetched. */
  fetches: () => number;
  current: SigningKey;
  /** Publishes only `key` from now on (old tokens stop verifying once the JWKS is refetched). */
  rotate(key: SigningKey): void;
  sign(
    claims?: Record<string, unknown>,
    opts?: { key?: SigningKey; expiresIn?: string | number },
  ): Promise<string>;
  /** env for startTestServer */
  env(): Record<string, string>;
  setDown(down: boolean): void;
}

export async function startIssuer(t: Cleanup): Promise<TestIssuer> {
  let keys = [await signingKey('key-1')];
  let fetches = 0;
  let down = false;
  const server = createServer((req, res) => {
    fetches++;
    if (down) return void res.writeHead(500).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const issuer: TestIssuer = {
    jwksUrl,
    fetches: () => fetches,
    get current() {
      return keys[0]!;
    },
    rotate(key) {
      keys = [key];
    },
    async sign(claims = {}, opts = {}) {
      const key = opts.key ?? keys[0]!;
      // claims given by the test win over the defaults
      return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'svc-checkout', scope: 'predict', ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(key.privateKey);
    },
    env: () => ({
      MODELGATE_JWT_JWKS_URL: jwksUrl,
      MODELGATE_JWT_ISSUER: ISSUER,
      MODELGATE_JWT_AUDIENCE: AUDIENCE,
      MODELGATE_JWT_JWKS_COOLDOWN_MS: '0',
      MODELGATE_OUTBOUND_ALLOW_HTTP: 'true',
      MODELGATE_OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    }),
    setDown(value) {
      down = value;
    },
  };
  return issuer;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An unsigned token (`alg: none`), as an attacker would send it. */
export function algNoneToken(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** An HS256 token whose HMAC secret is the issuer's public key: the RS/HS confusion attack. */
export async function hmacWithPublicKey(publicPem: string, claims: Record<string, unknown>): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', publicPem).update(head).digest('base64url')}`;
}

export function standardClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: AUDIENCE, sub: 'attacker', iat: now, exp: now + 300, scope: 'admin', ...extra };
}
