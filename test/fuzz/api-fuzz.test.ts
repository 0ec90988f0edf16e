// Property: no hostile request is accepted, answered with a 5xx, crashes the server or changes
// anything. `npm test` runs a few hundred cases in-process; `npm run fuzz` runs 10,000+ against a
// separate server process.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO, startTestServer } from '../helpers/server.js';
import { EXAMPLE } from '../owasp/setup.js';
import { fuzzCases, send, snapshot } from './fuzz-cases.js';

describe('fuzzing predict and admin bodies and headers', () => {
  it('answers every hostile request 4xx and changes nothing', async (t) => {
    const s = await startTestServer(t, {
      env: {
        MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0',
        MODELGATE_RATE_LIMIT_ADMIN_PER_MINUTE: '0',
        MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '0',
      },
    });
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    const before = await snapshot(s.url, s.adminKey);
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fuzzCases(EXAMPLE.instances[0]!), async (c) => {
        const status = await send(s.url, s.adminKey, c);
        kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
        return status >= 400 && status < 500;
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 42) },
    );
    assert.equal(await snapshot(s.url, s.adminKey), before, 'no state changed');
    assert.equal((await fetch(`${s.url}/health`)).status, 200, 'the server is up');
    assert.ok(kinds.size >= 8, `many kinds of input were tried: ${[...kinds.keys()].join(', ')}`);
  });
});

describe('fuzz findings, kept as regression tests', () => {
  it('answers a malformed multipart upload 400, not 500', async (t) => {
    const s = await startTestServer(t);
    for (const body of ['{"a":1}', '--x\r\nContent-Disposition: form-data; name="manifest"\r\n\r\nabc']) {
      const r = await fetch(`${s.url}/v1/models/m/versions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'multipart/form-data; boundary=x' },
        body,
      });
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { code: string }).code, 'MALFORMED_REQUEST');
    }
  });
});
