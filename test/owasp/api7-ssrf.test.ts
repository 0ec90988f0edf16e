// OWASP API7:2023 Server Side Request Forgery: the only user-supplied URL modelgate fetches today
// is the JWKS URL (webhooks arrive with rollouts). It goes through the outbound URL policy: https
// only, no credentials, no private/loopback/link-local targets, no redirects, capped responses.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AUDIENCE, ISSUER, signingKey } from '../helpers/jwt.js';
import { raw, startTestServer, type Cleanup } from '../helpers/server.js';
import { SignJWT } from 'jose';

async function httpServer(t: Cleanup, handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const jwtEnv = (url: string, extra: Record<string, string> = {}) => ({
  MODELGATE_JWT_JWKS_URL: url,
  MODELGATE_JWT_ISSUER: ISSUER,
  MODELGATE_JWT_AUDIENCE: AUDIENCE,
  ...extra,
});

describe('API7 server side request forgery', () => {
  const refusedAtStart: Array<[string, Record<string, string>, RegExp]> = [
    ['http://idp.example.com/jwks', {}, /scheme 'http' is not allowed/],
    ['https://169.254.169.254/latest/meta-data/iam', {}, /linkLocal/],
    ['https://127.0.0.1:8443/jwks', {}, /loopback/],
    ['https://10.0.0.5/jwks', {}, /private/],
    ['https://user:secret@idp.example.com/jwks', {}, /credentials/],
    ['http://127.0.0.1/jwks', { MODELGATE_OUTBOUND_ALLOW_HTTP: 'true' }, /loopback/],
  ];
  for (const [url, extra, message] of refusedAtStart) {
    it(`refuses to start with JWKS URL ${url}`, async (t) => {
      await assert.rejects(startTestServer(t, { env: jwtEnv(url, extra) }), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(!err.message.includes('secret@'), 'credentials are not echoed');
        return true;
      });
    });
  }

  it('does not follow a redirect from the JWKS URL', async (t) => {
    let targetHits = 0;
    const target = await httpServer(t, (_req, res) => {
      targetHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    const redirector = await httpServer(t, (_req, res) => {
      res.writeHead(302, { location: `${target}/jwks` }).end();
    });
    const s = await startTestServer(t, {
      env: jwtEnv(`${redirector}/jwks`, {
        MODELGATE_OUTBOUND_ALLOW_HTTP: 'true',
        MODELGATE_OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      }),
    });
    const key = await signingKey('k1');
    const token = await new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('s')
      .setExpirationTime('1m')
      .sign(key.privateKey);
    const r = await raw(s, 'GET', '/v1/models', { key: null, headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 503);
    assert.equal(r.json.code, 'AUTH_UNAVAILABLE');
    assert.equal(targetHits, 0, 'the redirect target was never contacted');
  });
});
