import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { Rollout, RolloutEvent } from '../../src/modules/rollouts/types.js';
import {
  signature,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WebhookNotifier,
} from '../../src/modules/rollouts/webhooks.js';

const rollout = {
  id: 'ro_0123456789abcdef',
  model: 'breast-cancer',
  candidate: '1.2.0',
  baseline: '1.0.0',
  strategy: 'canary',
  state: 'rolled_back',
  stepIndex: 2,
  reason: 'error_rate failed',
} as unknown as Rollout;
const event: RolloutEvent = { type: 'rolled_back', rollout, detail: 'step 2 (canary 25%) failed' };
const local = { schemes: ['http'], allowPrivateNetworks: true };
const logger = pino({ level: 'silent' });

async function receiver(t: { after: (fn: () => unknown) => void }, answers: number[]) {
  const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(answers[got.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/modelgate`, got };
}

describe('rollout webhooks', () => {
  it('posts signed JSON, retrying 5xx with backoff', async (t) => {
    const r = await receiver(t, [503, 500, 200]);
    const n = new WebhookNotifier({
      urls: [r.url],
      secret: 'top-secret-key-123',
      format: 'json',
      outbound: local,
      logger,
    });
    n.send(event);
    await n.drain();
    assert.equal(r.got.length, 3, 'two retries, then delivered');
    const last = r.got[2]!;
    const body = JSON.parse(last.body) as { event: string; rollout: { id: string; reason: string } };
    assert.equal(body.event, 'rollout.rolled_back');
    assert.equal(body.rollout.id, rollout.id);
    const ts = String(last.headers[TIMESTAMP_HEADER]);
    assert.equal(last.headers[SIGNATURE_HEADER], signature('top-secret-key-123', ts, last.body));
    assert.match(String(last.headers[SIGNATURE_HEADER]), /^sha256=[0-9a-f]{64}$/);
  });

  it('does not retry a 4xx, and never throws into the caller', async (t) => {
    const r = await receiver(t, [404, 200]);
    const n = new WebhookNotifier({ urls: [r.url], format: 'json', outbound: local, logger });
    n.send(event);
    await n.drain();
    assert.equal(r.got.length, 1);
    assert.equal(r.got[0]!.headers[SIGNATURE_HEADER], undefined, 'unsigned without a secret');
  });

  it('speaks Slack', async (t) => {
    const r = await receiver(t, [200]);
    const n = new WebhookNotifier({ urls: [r.url], format: 'slack', outbound: local, logger });
    n.send(event);
    await n.drain();
    const body = JSON.parse(r.got[0]!.body) as { text: string };
    assert.match(
      body.text,
      /rollout ro_0123456789abcdef of \*breast-cancer\* 1\.0\.0 → 1\.2\.0: \*rolled back\*: step 2/,
    );
  });

  it('refuses URLs the outbound policy forbids, at construction', () => {
    assert.throws(
      () => new WebhookNotifier({ urls: ['http://127.0.0.1:9/x'], format: 'json', outbound: {}, logger }),
      /scheme 'http'/,
    );
    assert.throws(
      () => new WebhookNotifier({ urls: ['https://10.0.0.1/x'], format: 'json', outbound: {}, logger }),
      /private/,
    );
  });
});
