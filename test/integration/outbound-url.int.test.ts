import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  checkAddress,
  checkOutboundUrl,
  OutboundUrlError,
  safeFetch,
} from '../../src/shared/outbound-url.js';

describe('checkOutboundUrl', () => {
  it('accepts public https URLs', () => {
    assert.equal(checkOutboundUrl('https://8.8.8.8/jwks.json').host, '8.8.8.8');
    assert.equal(
      checkOutboundUrl('https://idp.example.com/.well-known/jwks.json').hostname,
      'idp.example.com',
    );
  });

  const refused: Array<[string, RegExp]> = [
    ['http://idp.example.com/jwks', /scheme 'http' is not allowed/],
    ['file:///etc/passwd', /scheme 'file' is not allowed/],
    ['gopher://idp.example.com/', /scheme 'gopher'/],
    ['https://user:pass@idp.example.com/jwks', /credentials/],
    ['https://user@idp.example.com/jwks', /credentials/],
    ['https://127.0.0.1/jwks', /loopback/],
    ['https://10.1.2.3/jwks', /private/],
    ['https://192.168.0.1/jwks', /private/],
    ['https://172.16.5.5/jwks', /private/],
    ['https://169.254.169.254/latest/meta-data', /linkLocal/],
    ['https://[::1]/jwks', /loopback/],
    ['https://[fd00::1]/jwks', /uniqueLocal/],
    ['https://[fe80::1]/jwks', /linkLocal/],
    ['https://[::ffff:127.0.0.1]/jwks', /loopback/],
    ['https://0.0.0.0/jwks', /unspecified/],
    ['https://100.64.0.1/jwks', /carrierGradeNat/],
    ['not a url', /not an absolute URL/],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, () => {
      assert.throws(
        () => checkOutboundUrl(url),
        (err: unknown) => err instanceof OutboundUrlError && message.test(err.detail),
      );
    });
  }

  it('allows http and private addresses only when the policy says so', () => {
    const policy = { schemes: ['https', 'http'], allowPrivateNetworks: true };
    assert.equal(checkOutboundUrl('http://127.0.0.1:8080/jwks', policy).port, '8080');
    assert.doesNotThrow(() => checkAddress('10.0.0.1', policy));
    // credentials stay refused whatever the policy
    assert.throws(() => checkOutboundUrl('http://u:p@127.0.0.1/', policy), /credentials/);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let base: string;
  let hits: string[];

  before(async () => {
    hits = [];
    server = createServer((req, res) => {
      hits.push(req.url!);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${base}/target` }).end();
      } else if (req.url === '/big') {
        res.writeHead(200).end('x'.repeat(5000));
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const local = { schemes: ['http'], allowPrivateNetworks: true };

  it('fetches when the policy allows the target', async () => {
    const res = await safeFetch(`${base}/jwks`, local);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('refuses a name that resolves to loopback, at connect time', async () => {
    const port = (server.address() as AddressInfo).port;
    const before = hits.length;
    await assert.rejects(
      safeFetch(`http://localhost:${port}/jwks`, { schemes: ['http'] }),
      (err: unknown) => err instanceof OutboundUrlError && /loopback/.test(err.detail),
    );
    assert.equal(hits.length, before, 'no request reached the server');
  });

  it('does not follow redirects', async () => {
    const before = hits.length;
    const res = await safeFetch(`${base}/redirect`, local);
    assert.equal(res.status, 302);
    assert.deepEqual(hits.slice(before), ['/redirect']);
  });

  it('caps the response size', async () => {
    await assert.rejects(safeFetch(`${base}/big`, local, { maxBytes: 1000 }), /exceeds 1000 bytes/);
  });
});
