// OWASP API10:2023 Unsafe Consumption of APIs: what modelgate reads from another API (the
// issuer's JWKS) is size-capped and validated; a hostile or broken answer never grants access.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AUDIENCE, ISSUER, signingKey } from '../helpers/jwt.js';
import { raw, startTestServer } from '../helpers/server.js';

const answers: Record<string, (res: ServerResponse) => void> = {
  'a 5 MB JWKS': (res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`{"keys":[],"pad":"${'x'.repeat(5_000_000)}"}`),
  'a JWKS that is not JSON': (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('<html>'),
  'a JWKS of the wrong shape': (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":"all"}'),
};

describe('API10 unsafe consumption of APIs', () => {
  for (const [what, answer] of Object.entries(answers)) {
    it(`grants nothing when the issuer answers ${what}`, async (t) => {
      const server = createServer((_req, res) => answer(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      t.after(() => new Promise((resolve) => server.close(resolve)));
      const s = await startTestServer(t, {
        env: {
          MODELGATE_JWT_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
          MODELGATE_JWT_ISSUER: ISSUER,
          MODELGATE_JWT_AUDIENCE: AUDIENCE,
          MODELGATE_OUTBOUND_ALLOW_HTTP: 'true',
          MODELGATE_OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        },
      });
      const key = await signingKey('k1');
      const token = await new SignJWT({ scope: 'admin' })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('s')
        .setExpirationTime('1m')
        .sign(key.privateKey);
      const r = await raw(s, 'GET', '/v1/audit', {
        key: null,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.code, 'AUTH_UNAVAILABLE');
    });
  }
});
