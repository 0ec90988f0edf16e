import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hasWrk, postLoad } from '../../bench/lib/load.js';

// A server that counts what the load generator sends to /ok (method, body, headers) and answers
// 200 (503 on /refuse, after 20 ms on /slow), so a test can hold the generator's report against
// what really arrived.
let server: Server;
let base: string;
const seen = { requests: 0, badBodies: 0, badHeaders: 0 };
const BODY = JSON.stringify({ instances: [{ a: 1.5, b: 'x' }] });

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      // only /ok is counted: a refused run's last requests may still arrive during the next test
      if (req.url === '/ok') {
        seen.requests++;
        if (req.method !== 'POST' || body !== BODY) seen.badBodies++;
        if (req.headers['content-type'] !== 'application/json' || req.headers.authorization !== 'Bearer k1')
          seen.badHeaders++;
      }
      const answer = () => {
        res.writeHead(req.url === '/refuse' ? 503 : 200, { 'content-type': 'application/json' });
        res.end('{}');
      };
      if (req.url === '/slow') setTimeout(answer, 20);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const generators = ['autocannon', 'wrk'] as const;
for (const generator of generators) {
  // CI installs wrk (.ci/run); a developer's machine without it still tests autocannon
  const skip = generator === 'wrk' && !hasWrk() && process.env.CI !== 'true' ? 'wrk is not on PATH' : false;
  describe(`bench load from ${generator}`, { skip }, () => {
    it('posts the body with the headers and reports what the server answered', async () => {
      const before = { ...seen };
      const r = await postLoad(
        {
          url: `${base}/ok`,
          body: BODY,
          connections: 2,
          seconds: 1,
          headers: { authorization: 'Bearer k1' },
        },
        generator,
      );
      const arrived = seen.requests - before.requests;
      assert.equal(r.generator, generator);
      assert.equal(seen.badBodies, before.badBodies);
      assert.equal(seen.badHeaders, before.badHeaders);
      assert.ok(r.total > 100, `${r.total} requests in a second`);
      // the generator counts answers; requests in flight when it stopped arrived but were not
      // counted (at most one per connection, here and in the test before)
      assert.ok(arrived >= r.total && arrived <= r.total + 4, `${arrived} arrived, ${r.total} counted`);
      assert.ok(Math.abs(r.rps - r.total / r.seconds) <= r.rps * 0.1, `${r.rps} req/s over ${r.seconds} s`);
      assert.ok(r.seconds >= 0.9 && r.seconds < 3, `${r.seconds} s`);
      assert.ok(r.p50 >= 0 && r.p50 <= r.p99, `p50 ${r.p50} p99 ${r.p99}`);
    });

    it('refuses a run it cannot time as asked', { skip: generator === 'autocannon' }, async () => {
      await assert.rejects(
        postLoad({ url: `${base}/ok`, body: BODY, connections: 2, seconds: 1.5 }, generator),
        /whole seconds, not 1\.5/,
      );
      await assert.rejects(
        postLoad({ url: `${base}/ok`, body: BODY, connections: 0, seconds: 1 }, generator),
        /at least one connection, not 0/,
      );
    });

    it('reports latencies in milliseconds', async () => {
      const r = await postLoad({ url: `${base}/slow`, body: BODY, connections: 1, seconds: 1 }, generator);
      // each answer takes 20 ms (a timer: a little more, never less)
      assert.ok(r.p50 >= 19 && r.p50 < 200, `p50 ${r.p50} ms`);
      assert.ok(r.total >= 5 && r.total <= 50, `${r.total} answers of 20 ms in a second on one connection`);
    });

    it('fails the run when an answer is an error', async () => {
      await assert.rejects(
        postLoad({ url: `${base}/refuse`, body: BODY, connections: 1, seconds: 1 }, generator),
        /\/refuse: [1-9]\d* (non-2xx|4xx\/5xx), 0 errors/,
      );
    });

    it('fails the run when connections fail', async () => {
      // a port nothing listens on: every connection is refused
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise((resolve) => closed.close(resolve));
      await assert.rejects(
        postLoad({ url: `http://127.0.0.1:${port}/ok`, body: BODY, connections: 1, seconds: 1 }, generator),
        // autocannon counts the refused connections; wrk gives up and says why
        /: (0 non-2xx, [1-9]\d* errors|wrk failed: unable to connect .*refused)/,
      );
    });
  });
}
