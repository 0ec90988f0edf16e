import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PactV4 } from '@pact-foundation/pact';
import { ModelgateClient } from '../../src/client/client.js';
import { startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';
import { ADMIN_INTERACTIONS } from './admin-interactions.js';
import { ERROR_INTERACTIONS } from './error-interactions.js';
import { INFERENCE_INTERACTIONS } from './inference-interactions.js';
import { MODEL_INTERACTIONS } from './model-interactions.js';
import { providerStates, type StateHandlers } from './provider-states.js';
import { CONSUMER_KEY } from './shapes.js';
import { verifyPact } from './verify-pact.js';

/**
 * Consumer-driven contract of the typed client (consumer `modelgate-client`) with the server
 * (provider `modelgate`), in Pact V4. The consumer half records what the real ModelgateClient
 * sends and relies on, against Pact's mock server; the provider half replays that pact against a
 * real server. node:test runs the two `describe` blocks of this file in order. The pact file lives
 * in a temp directory (no broker here): it is an artefact of this run, not a checked-in document.
 */
const INTERACTIONS = [
  ...MODEL_INTERACTIONS,
  ...ADMIN_INTERACTIONS,
  ...INFERENCE_INTERACTIONS,
  ...ERROR_INTERACTIONS,
];
const CONSUMER = 'modelgate-client';
const PROVIDER = 'modelgate';
const pactDir = mkdtempSync(join(tmpdir(), 'modelgate-pact-'));
const pactFile = join(pactDir, `${CONSUMER}-${PROVIDER}.json`);
after(() => rm(pactDir, { recursive: true, force: true }));

/** The Pact FFI handle of the interaction being defined (PactV4 replaces it after each test). */
type MatchState = { mockServerMatchedSuccessfully(port: number): boolean };
const handleOf = (pact: PactV4): MatchState | undefined => {
  const handle = (pact as unknown as { pact?: Partial<MatchState> }).pact;
  // a private field: if a Pact upgrade renames it, skip the wait rather than fail obscurely
  return typeof handle?.mockServerMatchedSuccessfully === 'function' ? (handle as MatchState) : undefined;
};

/**
 * Pact's mock server (16.3+) answers a request before it records the match, so under CPU load
 * `executeTest` can check too early and report "expected but not received" for a request that was
 * answered (pact-reference#535, pact-core-mock-server#13; one CI run here failed so). Wait, at
 * most 2 s, until the mock server has recorded it; a real mismatch is still reported after.
 */
async function recorded(handle: MatchState | undefined, port: number): Promise<void> {
  if (!handle) return;
  const deadline = Date.now() + 2000;
  while (!handle.mockServerMatchedSuccessfully(port) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
}

describe('consumer: the typed client against the Pact mock server', () => {
  const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: pactDir, logLevel: 'error' });
  for (const c of INTERACTIONS) {
    it(`${c.description} (given ${c.state})`, async () => {
      const interaction = c.define(pact.addInteraction().given(c.state).uponReceiving(c.description));
      const handle = handleOf(pact);
      await interaction.executeTest(async (mock) => {
        await c.exercise({
          keyed: new ModelgateClient({ baseUrl: mock.url, apiKey: CONSUMER_KEY }),
          anonymous: new ModelgateClient({ baseUrl: mock.url }),
        });
        await recorded(handle, mock.port);
      });
    });
  }
});

interface PactDocument {
  interactions: Array<{ description: string; providerStates?: Array<{ name: string }>; response: unknown }>;
}
const readPact = async () => JSON.parse(await readFile(pactFile, 'utf8')) as PactDocument;

describe('provider: a real server honours the recorded pact', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  let states: StateHandlers;
  before(async () => {
    s = await startTestServer(scope, {
      // the state handlers make many admin calls; a rollout must not move on its own mid-verification
      env: {
        MODELGATE_RATE_LIMIT_ADMIN_PER_MINUTE: '0',
        MODELGATE_RATE_LIMIT_READ_PER_MINUTE: '0',
        MODELGATE_ROLLOUT_TICK_MS: '600000',
      },
    });
    states = providerStates(s);
  });
  after(() => scope.run());

  it('the pact holds every interaction, each with a state the provider knows', async () => {
    // the verifier only warns about a state without a handler: here it is an error
    const doc = await readPact();
    assert.equal(doc.interactions.length, INTERACTIONS.length);
    for (const i of doc.interactions) {
      const names = (i.providerStates ?? []).map((p) => p.name);
      assert.ok(names.length === 1 && names[0]! in states, `${i.description}: ${names.join()}`);
    }
  });

  it('verifies every interaction', async () => {
    const outcome = await verifyPact(s, pactFile, states);
    assert.deepEqual(outcome.failures, []);
    assert.equal(outcome.passed, true);
    assert.deepEqual(outcome.verified.sort(), INTERACTIONS.map((i) => i.description).sort());
  });

  it('reports a failure when the server breaks an expectation (the verifier prints it)', async () => {
    // one interaction, edited to expect a version the server does not answer with
    const doc = await readPact();
    const one = doc.interactions.find((i) => i.description === 'a prediction from the production version');
    assert.ok(one);
    (one.response as { body: { content: { version: string } } }).body.content.version = '9.9.9';
    const broken = join(pactDir, 'broken.json');
    await writeFile(broken, JSON.stringify({ ...doc, interactions: [one] }));
    const outcome = await verifyPact(s, broken, states);
    assert.equal(outcome.passed, false);
    assert.equal(outcome.failures.length, 1);
    assert.match(outcome.failures[0]!, /a prediction from the production version: .*'1\.0\.0'.*'9\.9\.9'/);
  });
});
