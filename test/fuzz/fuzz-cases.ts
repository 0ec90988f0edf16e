// Hostile requests for the fuzz tests (`npm test`) and the long fuzz run (`npm run fuzz`): random
// JSON, wrong types, huge and non-finite numbers, deep nesting, __proto__ and constructor keys,
// invalid UTF-8, giant strings and odd headers, against predict and every admin mutation. None of
// them is a valid request, so every one must end in a 4xx and change nothing.
import { connect } from 'node:net';
import fc from 'fast-check';

export interface FuzzCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
  /** what kind of hostile input this is, for the report */
  kind: string;
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

const routes = [
  ['POST', '/v1/models/breast-cancer/predict'],
  ['POST', '/v1/models/breast-cancer/versions/1.0.0/predict'],
  ['POST', '/v1/keys'],
  ['POST', '/v1/models/breast-cancer/promote'],
  ['POST', '/v1/models/breast-cancer/rollback'],
  ['PUT', '/v1/models/breast-cancer/aliases/staging'],
  ['POST', '/v1/models/breast-cancer/versions'],
] as const;

/** A predict instance with the demo model's 30 features, then broken on purpose. */
function brokenInstances(example: Record<string, unknown>): fc.Arbitrary<{ kind: string; text: string }> {
  const names = Object.keys(example);
  const mutate = fc.oneof(
    fc
      .record({
        n: fc.constantFrom(...names),
        v: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.double())),
      })
      .map(({ n, v }) => ({
        kind: 'wrong type',
        text: JSON.stringify({ instances: [{ ...example, [n]: v }] }),
      })),
    fc.constantFrom(...names).map((n) => {
      const copy: Record<string, unknown> = { ...example };
      delete copy[n];
      return { kind: 'missing field', text: JSON.stringify({ instances: [copy] }) };
    }),
    fc
      .record({
        n: fc.constantFrom(...names),
        lit: fc.constantFrom('1e309', '-1e400', 'NaN', 'Infinity', '1e-400e5', '0x10', '01'),
      })
      .map(({ n, lit }) => ({
        kind: 'non-finite or invalid number',
        text: JSON.stringify({ instances: [{ ...example, [n]: '__N__' }] }).replace('"__N__"', lit),
      })),
    fc
      .record({ k: fc.constantFrom('__proto__', 'constructor', 'prototype'), v: fc.jsonValue() })
      .map(({ k, v }) => ({
        kind: 'prototype key',
        text: JSON.stringify({ instances: [example] }).replace(
          '{"instances"',
          `{"${k}":${JSON.stringify(v) ?? 'null'},"instances"`,
        ),
      })),
    fc
      .record({ k: fc.constantFrom('__proto__', 'constructor'), n: fc.constantFrom(...names) })
      .map(({ k }) => ({
        kind: 'prototype key in instance',
        text: JSON.stringify({ instances: [example] }).replace('[{', `[{"${k}":{"polluted":true},`),
      })),
    fc.record({ extra: printable.filter((s) => !names.includes(s)) }).map(({ extra }) => ({
      kind: 'unknown field',
      text: JSON.stringify({ instances: [{ ...example, [extra]: 1 }] }),
    })),
  );
  return mutate;
}

function jsonBodies(
  example: Record<string, unknown>,
): fc.Arbitrary<{ kind: string; body: Uint8Array | string }> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 6 }).map((v) => ({ kind: 'random JSON', body: JSON.stringify(v) ?? 'null' })),
    fc.anything({ maxDepth: 4 }).map((v) => ({ kind: 'random value', body: safeStringify(v) })),
    brokenInstances(example).map(({ kind, text }) => ({ kind, body: text })),
    fc
      .integer({ min: 40, max: 5000 })
      .map((d) => ({ kind: 'deep nesting', body: '{"instances":' + '['.repeat(d) + ']'.repeat(d) + '}' })),
    fc.integer({ min: 10_001, max: 300_000 }).map((n) => ({
      kind: 'giant string',
      body: JSON.stringify({ instances: [{ mean_radius: 'x'.repeat(n) }] }),
    })),
    fc.integer({ min: 1001, max: 3000 }).map((n) => ({
      kind: 'too many instances',
      body: JSON.stringify({ instances: Array(n).fill(example) }),
    })),
    fc.uint8Array({ minLength: 1, maxLength: 400 }).map((bytes) => ({
      kind: 'invalid UTF-8',
      body: Buffer.concat([
        Buffer.from('{"instances":[{"mean_radius":"'),
        Buffer.from(bytes),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}]}'),
      ]),
    })),
    printable.map((s) => ({ kind: 'not JSON', body: s.length > 0 ? s + '{' : '{' })),
    fc
      .constantFrom(
        '',
        '{',
        '[]',
        'null',
        '{"instances":[]}',
        '{"instances":{}}',
        '{"name":"x","scopes":["root"]}',
        '{"version":""}',
        '{"version":"../../etc"}',
        '{"to":{"$gt":""}}',
      )
      .map((b) => ({ kind: 'edge body', body: b })),
  );
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null';
  } catch {
    return '{}';
  }
}

const headerVariants = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: '', headers: { 'content-type': 'application/json' } }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/json; charset=utf-16',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
      )
      .map((ct) => ({ kind: 'content type', headers: { 'content-type': ct } })),
  },
  {
    weight: 2,
    arbitrary: printable.map((k) => ({
      kind: 'idempotency key',
      headers: { 'content-type': 'application/json', 'idempotency-key': k },
    })),
  },
  {
    weight: 1,
    arbitrary: printable.map((id) => ({
      kind: 'request id',
      headers: { 'content-type': 'application/json', 'x-request-id': id },
    })),
  },
  {
    weight: 1,
    arbitrary: printable.map((a) => ({
      kind: 'authorization',
      headers: { 'content-type': 'application/json', authorization: a },
    })),
  },
);

export function fuzzCases(example: Record<string, unknown>): fc.Arbitrary<FuzzCase> {
  return fc
    .record({ route: fc.constantFrom(...routes), body: jsonBodies(example), h: headerVariants })
    .map(({ route, body, h }) => ({
      method: route[0],
      path: route[1],
      headers: h.headers,
      body: body.body,
      kind: h.kind ? `${h.kind} header` : body.kind,
    }));
}

/** Everything a fuzz case must not change, read through the admin API. */
export async function snapshot(base: string, adminKey: string): Promise<string> {
  const get = async (path: string) => {
    const r = await fetch(base + path, { headers: { authorization: `Bearer ${adminKey}` } });
    return r.text();
  };
  const audit = JSON.parse(await get('/v1/audit?limit=500')) as { events: unknown[] };
  return JSON.stringify({
    models: JSON.parse(await get('/v1/models')) as unknown,
    versions: JSON.parse(await get('/v1/models/breast-cancer/versions')) as unknown,
    keys: JSON.parse(await get('/v1/keys')) as unknown,
    audit: audit.events.length,
  });
}

/**
 * Sends one case over a plain socket and reads the status line. A server may answer (413) before
 * it has read a large body and then close; HTTP clients then report only the broken pipe, so the
 * request is written ignoring write errors and whatever the server answered is read back.
 */
export function send(base: string, adminKey: string, c: FuzzCase): Promise<number> {
  const url = new URL(c.path, base);
  const body = c.body === undefined ? Buffer.alloc(0) : Buffer.from(c.body);
  const headers: Record<string, string> = {
    host: url.host,
    authorization: `Bearer ${adminKey}`,
    'content-length': String(body.length),
    ...c.headers,
  };
  const head = `${c.method} ${url.pathname} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let status: number | undefined;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      // keep-alive: the answer is complete once its headers and Content-Length bytes arrived
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (m && headEnd > 0 && length && text.length >= headEnd + 4 + Number(length[1])) {
        status = Number(m[1]);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined); // EPIPE/ECONNRESET after an early answer
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(Buffer.concat(chunks).subarray(0, 20).toString('latin1'));
      if (status !== undefined) resolve(status);
      else if (m) resolve(Number(m[1]));
      else reject(new Error('the server closed the connection without an answer'));
    });
    socket.write(head, 'latin1');
    socket.end(body);
  });
}
