// OWASP API2:2023 Broken Authentication: API keys and OAuth2 bearer tokens (JWT, verified against
// a real JWKS served over HTTP) through the running app.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import {
  algNoneToken,
  AUDIENCE,
  hmacWithPublicKey,
  signingKey,
  standardClaims,
  startIssuer,
  type TestIssuer,
} from '../helpers/jwt.js';
import { raw, startTestServer, SuiteScope, secretOf } from '../helpers/server.js';
import { demoServer, EXAMPLE_BODY, json, type SecuredServer } from './setup.js';

describe('API2 broken authentication', () => {
  const scope = new SuiteScope();
  let s: SecuredServer;
  let issuer: TestIssuer;
  before(async () => {
    issuer = await startIssuer(scope);
    s = await demoServer(scope, issuer.env());
  });
  after(() => scope.run());

  const predict = (authorization: string | undefined, extra: Record<string, string> = {}) =>
    raw(s, 'POST', '/v1/models/breast-cancer/predict', {
      key: null,
      body: EXAMPLE_BODY,
      headers: { ...json, ...(authorization ? { authorization } : {}), ...extra },
    });

  async function refused(authorization: string | undefined, detail: RegExp): Promise<void> {
    const r = await predict(authorization);
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.code, 'UNAUTHENTICATED');
    assert.match(r.json.detail, detail);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="modelgate"/);
    if (authorization) assert.ok(!r.text.includes(authorization.slice(7)), 'the credential is not echoed');
  }

  it('accepts a valid token with the predict scope, and maps the principal', async () => {
    const token = await issuer.sign({ scope: 'predict' });
    const r = await predict(`Bearer ${token}`);
    assert.equal(r.status, 200, r.text);
    const line = s.logs.lines.find((l) => l.req_id === r.headers.get('x-request-id') && l.msg === 'request');
    assert.equal(line?.principal, 'jwt:svc-checkout');
  });

  it('refuses a request without credentials', () => refused(undefined, /send an API key/));
  it('refuses a malformed Authorization header', () => refused('Basic dXNlcjpwYXNz', /must be "Bearer/));
  it('refuses an unknown API key', () =>
    refused('Bearer mg_AAAAAAAAAAAA_' + 'A'.repeat(43), /invalid or revoked API key/));

  it('refuses an expired token', async () =>
    refused(
      `Bearer ${await issuer.sign({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })}`,
      /expired/,
    ));

  it('refuses a token for another audience', async () =>
    refused(`Bearer ${await issuer.sign({ aud: 'billing-api' })}`, /audience/));

  it('refuses a token signed by an untrusted key', async () => {
    const other = await signingKey('key-1');
    await refused(`Bearer ${await issuer.sign({}, { key: other })}`, /signature/);
  });

  it('refuses alg none', () => refused(`Bearer ${algNoneToken(standardClaims())}`, /algorithm|malformed/));

  it('refuses an HS256 token forged with the public key', async () =>
    refused(`Bearer ${await hmacWithPublicKey(issuer.current.publicPem, standardClaims())}`, /algorithm/));

  it('refuses garbage that looks like a token', () => refused('Bearer abc.def.ghi', /malformed|invalid/));

  it('gives a token without the scope 403, not access', async () => {
    const r = await predict(`Bearer ${await issuer.sign({ scope: 'openid profile' })}`);
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'FORBIDDEN');
  });

  it('maps admin in the token to admin functions', async () => {
    const r = await raw(s, 'GET', '/v1/audit?limit=1', {
      key: null,
      headers: { authorization: `Bearer ${await issuer.sign({ scope: 'admin' })}` },
    });
    assert.equal(r.status, 200, r.text);
  });

  it('ignores credentials in the URL', async () => {
    const r = await raw(s, 'POST', `/v1/models/breast-cancer/predict?api_key=${s.predictKey}`, {
      key: null,
      body: EXAMPLE_BODY,
      headers: json,
    });
    assert.equal(r.status, 401);
  });

  it('never writes a credential to the log', () => {
    const all = s.logs.raw.join('\n');
    assert.ok(!all.includes(secretOf(s.predictKey)));
    assert.ok(!all.includes(secretOf(s.adminKey)));
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(all), 'no JWT in the log');
  });
});

describe('API2 without JWT configured', () => {
  it('refuses bearer tokens with a clear message', async (t) => {
    const s = await startTestServer(t);
    const key = await signingKey('k', 'ES256');
    const token = await new SignJWT({ scope: 'admin' })
      .setProtectedHeader({ alg: 'ES256' })
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setExpirationTime('1m')
      .sign(key.privateKey);
    const r = await raw(s, 'GET', '/v1/models', { key: null, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 401);
    assert.match(r.json.detail, /not enabled/);
  });
});
