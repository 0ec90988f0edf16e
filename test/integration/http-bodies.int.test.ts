import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEMO, startTestServer, type TestServer } from '../helpers/server.js';

/** A request with a chunked body (no Content-Length), as proxies and streaming clients send. */
function chunked(
  s: TestServer,
  path: string,
  chunks: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      s.url + path,
      { method: 'POST', headers: { authorization: `Bearer ${s.adminKey}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request bodies by transfer encoding and type', () => {
  it('treats an empty chunked body as no body, refuses other types with 415, parses chunked JSON', async (t) => {
    const s = await startTestServer(t);
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    const verify = await chunked(s, '/v1/models/breast-cancer/versions/1.0.0/verify', []);
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.equal(verify.body.ok, true);

    const text = await chunked(s, '/v1/models/breast-cancer/promote', ['version=1.0.0'], {
      'content-type': 'text/plain',
    });
    assert.equal(text.status, 415);
    assert.equal(text.body.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(String(text.body.detail), /content type text\/plain is not accepted/);
    const untyped = await chunked(s, '/v1/models/breast-cancer/promote', ['{"version": "1.0.0"}']);
    assert.equal(untyped.status, 415);
    assert.match(String(untyped.body.detail), /without a content type/);

    const json = await chunked(s, '/v1/models/breast-cancer/promote', ['{"vers', 'ion": "1.0.0"}'], {
      'content-type': 'application/json',
    });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.deepEqual((json.body.aliases as Record<string, string>).production, '1.0.0');
  });

  it('takes multipart bodies only where uploads are registered: elsewhere they are a 415', async (t) => {
    const s = await startTestServer(t);
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    const multipart = { 'content-type': 'multipart/form-data; boundary=x' };
    const form = ['--x\r\nContent-Disposition: form-data; name="instances"\r\n\r\n[]\r\n--x--\r\n'];
    for (const path of ['/v1/models/breast-cancer/predict', '/v1/models/breast-cancer/promote']) {
      const r = await chunked(s, path, form, multipart);
      assert.equal(r.status, 415, `${path}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, 'UNSUPPORTED_MEDIA_TYPE');
      assert.match(String(r.body.detail), /content type multipart\/form-data; boundary=x is not accepted/);
    }
    // the upload route still reads it: it refuses this form for its fields, not for its type
    const upload = await chunked(s, '/v1/models/breast-cancer/versions', form, multipart);
    assert.equal(upload.status, 422, JSON.stringify(upload.body));
    assert.equal(upload.body.code, 'MANIFEST_INVALID');
    assert.match(String(upload.body.detail), /unexpected field 'instances'/);
  });
});
