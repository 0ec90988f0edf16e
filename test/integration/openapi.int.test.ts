import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ContractChecker, openApiPath, type Exchange } from '../helpers/contract.js';
import { raw, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: unknown[];
  'x-modelgate-scope'?: string;
  requestBody?: { content: Record<string, { example?: unknown }> };
  parameters?: Array<{ in: string; name: string; required?: boolean; example?: string }>;
  tags?: string[];
  summary?: string;
};
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: unknown;
  tags: Array<{ name: string }>;
};

/** Every operation of the document, in its order. */
const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );

describe('OpenAPI 3.1 document of the native API (/openapi.json) and /docs', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  let doc: Doc;
  before(async () => {
    s = await startTestServer(scope);
    const r = await raw(s, 'GET', '/openapi.json', { key: null });
    assert.equal(r.status, 200);
    doc = JSON.parse(r.text) as Doc;
  });
  after(() => scope.run());

  it('is a valid OpenAPI 3.1 document (checked by a real validator)', async () => {
    assert.equal(doc.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors ?? [], [], JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
  });

  it('a broken document fails the same validator (the check has teeth)', async () => {
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, unknown>> };
    broken.paths['/health']!.get = { responses: 'none' };
    const result = await new Validator().validate(broken);
    assert.equal(result.valid, false);
  });

  it('documents every registered route with its scope and its error responses', () => {
    const routes = s.server.app.routeInventory.filter(
      (r) => !r.url.startsWith('/docs') && !r.url.startsWith('/console') && r.url !== '/openapi.json',
    );
    assert.ok(routes.length >= 35, String(routes.length));
    for (const r of routes) {
      const path = openApiPath(r.url === '/v2' ? '/v2/' : r.url);
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${path} is in the document`);
      const statuses = Object.keys(op.responses);
      assert.ok(
        statuses.includes('4XX') && statuses.includes('5XX'),
        `${r.method} ${path}: ${statuses.join(' ')}`,
      );
      assert.ok(
        statuses.some((x) => x.startsWith('2')),
        `${r.method} ${path} documents its success`,
      );
      const errorTypes = Object.keys(op.responses['4XX']!.content ?? {});
      assert.deepEqual(
        errorTypes,
        [path.startsWith('/v2') ? 'application/json' : 'application/problem+json'],
        `${r.method} ${path} error media type`,
      );
      assert.equal(op['x-modelgate-scope'], r.scope ?? undefined, `${r.method} ${path} scope`);
      assert.equal((op.security ?? []).length, r.scope ? 2 : 0, `${r.method} ${path} security`);
    }
    // the multipart upload is described although no JSON schema validates it
    const upload = doc.paths['/v1/models/{name}/versions']!.post!;
    assert.ok(upload.requestBody?.content['multipart/form-data']);
  });

  it('files every operation under a declared tag, with a summary (no unnamed "default" section)', () => {
    const declared = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, op } of operations(doc)) {
      assert.equal(op.tags?.length, 1, `${method} ${path} tags`);
      assert.ok(declared.has(op.tags[0]!), `${method} ${path}: tag ${op.tags[0]} is declared`);
      assert.ok((op.summary ?? '').length > 3, `${method} ${path} summary`);
    }
  });

  it('gives every JSON or CSV request body and every path parameter an example', () => {
    let bodies = 0;
    for (const { path, method, op } of operations(doc)) {
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') assert.notEqual(p.example, undefined, `${method} ${path}: {${p.name}}`);
      }
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (type === 'multipart/form-data') continue; // files: nothing to fill in
        assert.notEqual(media.example, undefined, `${method} ${path}: ${type} example`);
        bodies++;
      }
    }
    assert.ok(bodies >= 11, String(bodies));
  });

  it('serves the interactive page and its bundled assets from this server only', async () => {
    const page = await raw(s, 'GET', '/docs', { key: null });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /https:|validator\.swagger\.io/);
    // every script and stylesheet the page loads comes from here (no CDN)
    const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length >= 3, refs.join(' '));
    for (const ref of refs) {
      assert.doesNotMatch(ref, /^(https?:)?\/\//, ref);
      const asset = await raw(s, 'GET', new URL(ref, `${s.url}/docs`).pathname, { key: null });
      assert.equal(asset.status, 200, ref);
    }
    // modelgate's name in the tab and its mark in the top bar, not Swagger's or Fastify's
    assert.match(page.text, /<title>modelgate API<\/title>/);
    const init = await raw(s, 'GET', '/docs/static/swagger-initializer.js', { key: null });
    const logo = /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(init.text)?.[1];
    assert.match(Buffer.from(logo ?? '', 'base64').toString(), />modelgate<\/text>/);
    const spec = await raw(s, 'GET', '/docs/json', { key: null });
    assert.deepEqual(JSON.parse(spec.text), doc);
  });
});

describe('request examples of the document ("Try it out" in /docs)', () => {
  it('are each accepted by a demo server through the real API, in the order of the document', async (t) => {
    const s = await startTestServer(t, { demo: true });
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Doc;
    const sent: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const [type, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      if (!type || media?.example === undefined) continue;
      let url = path;
      const query = new URLSearchParams();
      for (const p of op.parameters ?? []) {
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
        else if (p.in === 'query' && p.example !== undefined) query.set(p.name, String(p.example));
      }
      if (query.size > 0) url += `?${query.toString()}`;
      const body = typeof media.example === 'string' ? media.example : JSON.stringify(media.example);
      const r = await raw(s, method, url, { body, headers: { 'content-type': type } });
      assert.ok(r.status < 400, `${method} ${url} with its example: ${r.status} ${r.text.slice(0, 500)}`);
      sent.push(`${method} ${path}`);
    }
    assert.ok(sent.includes('POST /v1/models/{name}/predict'), sent.join('\n'));
    assert.ok(sent.includes('POST /v2/models/{name}/infer'), sent.join('\n'));
    assert.ok(sent.length >= 11, sent.join('\n'));
  });
});

describe('contract checks on every answer of the test servers', () => {
  it('records answers that break the document or the V2 spec, and passes conforming ones', async (t) => {
    const s = await startTestServer(t);
    const before = s.contract!.checked;
    assert.equal((await raw(s, 'GET', '/v1/models')).status, 200);
    assert.equal((await raw(s, 'GET', '/v2/models/nope')).status, 404);
    assert.equal(s.contract!.checked, before + 2, 'both answers were checked');
    assert.deepEqual(s.contract!.violations, []);

    // a checker of its own, fed answers the server never gives, so the server's stays clean
    let fired = 0;
    const checker = new ContractChecker(
      () => s.server.app.swagger(),
      () => fired++,
    );
    const ok = { method: 'GET', route: '/v1/models', path: '/v1/models', status: 200 };
    const json = 'application/json; charset=utf-8';
    const problem = 'application/problem+json; charset=utf-8';
    const bad: Exchange[] = [
      { ...ok, contentType: json, body: '{"models": [{"name": 1}]}' },
      { ...ok, status: 404, contentType: json, body: '{"error": "x"}' },
      { ...ok, status: 404, contentType: problem, body: '{"detail": "no code"}' },
      { ...ok, status: 302, contentType: json, body: '{}' },
      { ...ok, route: '/nowhere', path: '/nowhere', contentType: json, body: '{}' },
      {
        method: 'POST',
        route: '/v2/models/:name/infer',
        path: '/v2/models/m/infer',
        status: 200,
        contentType: json,
        body: '{"model_name": "m"}',
      },
      {
        method: 'POST',
        route: '/v2/models/:name/infer',
        path: '/v2/models/m/infer',
        status: 400,
        contentType: json,
        body: '{"type": "urn:x", "detail": "a problem, not a V2 error"}',
      },
    ];
    for (const x of bad) checker.check(x);
    assert.equal(checker.violations.length, bad.length, checker.violations.join('\n'));
    assert.equal(fired, 1, 'the first violation fails the test that started the server, once');
    checker.check({ ...ok, contentType: json, body: '{"models": []}' });
    assert.equal(checker.violations.length, bad.length);
  });
});
