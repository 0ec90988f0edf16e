import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AppError } from '../../src/shared/errors.js';
import {
  algNoneToken,
  AUDIENCE,
  hmacWithPublicKey,
  ISSUER,
  signingKey,
  standardClaims,
  startIssuer,
  type TestIssuer,
} from '../helpers/jwt.js';
import { SuiteScope } from '../helpers/server.js';
import {
  JwtVerifier,
  looksLikeJwt,
  type JwtVerifierOptions,
} from '../../src/modules/security/jwt-verifier.js';

const base: Omit<JwtVerifierOptions, 'jwksUrl' | 'publicKeyPem'> = {
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ['RS256', 'ES256'],
  clockSkewSeconds: 30,
  scopePrefix: '',
  jwksCooldownMs: 0,
  outbound: { schemes: ['http'], allowPrivateNetworks: true },
};

async function rejectsWith(p: Promise<unknown>, code: string, detail: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code);
    assert.match(err.detail, detail);
    return true;
  });
}

describe('JwtVerifier against a real JWKS over HTTP', () => {
  const scope = new SuiteScope();
  let issuer: TestIssuer;
  let verifier: JwtVerifier;
  before(async () => {
    issuer = await startIssuer(scope);
    verifier = new JwtVerifier({ ...base, jwksUrl: issuer.jwksUrl });
  });
  after(() => scope.run());

  it('accepts a valid token and maps its scopes', async () => {
    const p = await verifier.verify(await issuer.sign({ scope: 'predict read openid' }));
    assert.deepEqual(p, { id: 'jwt:svc-checkout', name: 'svc-checkout', scopes: ['predict', 'read'] });
  });

  it('reads scp as an array or a string', async () => {
    assert.deepEqual(
      (await verifier.verify(await issuer.sign({ scope: undefined, scp: ['admin'] }))).scopes,
      ['admin'],
    );
    assert.deepEqual((await verifier.verify(await issuer.sign({ scope: undefined, scp: 'read' }))).scopes, [
      'read',
    ]);
  });

  it('caches the JWKS: many verifications, one fetch', async () => {
    const before = issuer.fetches();
    for (let i = 0; i < 5; i++) await verifier.verify(await issuer.sign());
    assert.equal(issuer.fetches(), before);
  });

  it('refetches the JWKS when a token names an unknown kid (key rotation)', async () => {
    const old = issuer.current;
    const next = await signingKey('key-2', 'ES256');
    issuer.rotate(next);
    const before = issuer.fetches();
    const p = await verifier.verify(await issuer.sign({}, { key: next }));
    assert.equal(p.id, 'jwt:svc-checkout');
    assert.equal(issuer.fetches(), before + 1);
    issuer.rotate(old);
    await verifier.verify(await issuer.sign({}, { key: old }));
  });

  it('refuses expired tokens, but allows the configured clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejectsWith(
      verifier.verify(await issuer.sign({}, { expiresIn: now - 120 })),
      'UNAUTHENTICATED',
      /expired/,
    );
    const withinSkew = await verifier.verify(await issuer.sign({}, { expiresIn: now - 10 }));
    assert.equal(withinSkew.name, 'svc-checkout');
  });

  it('refuses tokens that are not valid yet', async () => {
    const nbf = Math.floor(Date.now() / 1000) + 600;
    await rejectsWith(verifier.verify(await issuer.sign({ nbf })), 'UNAUTHENTICATED', /not valid yet/);
  });

  it('refuses the wrong audience and the wrong issuer', async () => {
    await rejectsWith(
      verifier.verify(await issuer.sign({ aud: 'another-api' })),
      'UNAUTHENTICATED',
      /audience/,
    );
    const key = issuer.current;
    const foreign = await new SignJWT({ scope: 'predict' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer('https://evil.example')
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(key.privateKey);
    await rejectsWith(verifier.verify(foreign), 'UNAUTHENTICATED', /issuer/);
  });

  it('refuses a token signed by another key under a trusted kid', async () => {
    const impostor = await signingKey('key-1');
    await rejectsWith(
      verifier.verify(await issuer.sign({}, { key: impostor })),
      'UNAUTHENTICATED',
      /signature/,
    );
  });

  it('refuses alg none and the RS256/HS256 confusion', async () => {
    await rejectsWith(
      verifier.verify(algNoneToken(standardClaims())),
      'UNAUTHENTICATED',
      /algorithm|malformed/,
    );
    const forged = await hmacWithPublicKey(issuer.current.publicPem, standardClaims());
    await rejectsWith(verifier.verify(forged), 'UNAUTHENTICATED', /algorithm/);
  });

  it('refuses tokens without sub or exp', async () => {
    const key = issuer.current;
    const noExp = await new SignJWT({ scope: 'predict' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .sign(key.privateKey);
    await rejectsWith(verifier.verify(noExp), 'UNAUTHENTICATED', /'exp' claim/);
  });

  it('answers 503 AUTH_UNAVAILABLE when the JWKS cannot be fetched', async () => {
    const fresh = new JwtVerifier({ ...base, jwksUrl: issuer.jwksUrl });
    issuer.setDown(true);
    try {
      await rejectsWith(fresh.verify(await issuer.sign()), 'AUTH_UNAVAILABLE', /cannot be fetched/);
    } finally {
      issuer.setDown(false);
    }
  });
});

describe('JwtVerifier configuration', () => {
  it('verifies with one configured public key', async () => {
    const key = await signingKey('pem', 'ES256');
    const verifier = new JwtVerifier({ ...base, publicKeyPem: key.publicPem });
    const token = await new SignJWT({ scp: ['read'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('batch-job')
      .setExpirationTime('1m')
      .sign(key.privateKey);
    assert.deepEqual((await verifier.verify(token)).scopes, ['read']);
  });

  it('refuses a JWKS URL that the outbound policy forbids', () => {
    assert.throws(
      () => new JwtVerifier({ ...base, jwksUrl: 'http://127.0.0.1:1/jwks', outbound: {} }),
      /scheme 'http' is not allowed/,
    );
    assert.throws(
      () => new JwtVerifier({ ...base, jwksUrl: 'https://169.254.169.254/jwks', outbound: {} }),
      /linkLocal/,
    );
  });

  it('refuses HMAC and none in the algorithm list', () => {
    assert.throws(
      () => new JwtVerifier({ ...base, algorithms: ['HS256'], publicKeyPem: 'x' }),
      /must be among/,
    );
    assert.throws(
      () => new JwtVerifier({ ...base, algorithms: ['none'], publicKeyPem: 'x' }),
      /must be among/,
    );
  });

  it('maps prefixed scopes only', async () => {
    const key = await signingKey('pfx', 'ES256');
    const verifier = new JwtVerifier({ ...base, scopePrefix: 'modelgate:', publicKeyPem: key.publicPem });
    const token = await new SignJWT({ scope: 'modelgate:predict admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('s')
      .setExpirationTime('1m')
      .sign(key.privateKey);
    assert.deepEqual((await verifier.verify(token)).scopes, ['predict']);
  });

  it('recognises compact JWS', () => {
    assert.equal(looksLikeJwt('aGVsbG8.d29ybGQ.c2ln'), true);
    assert.equal(looksLikeJwt('mg_abc_def'), false);
  });
});
