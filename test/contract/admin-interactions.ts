import assert from 'node:assert/strict';
import { MatchersV3 } from '@pact-foundation/pact';
import type { ContractInteraction } from './contract-interaction.js';
import { STATES } from './provider-states.js';
import { AUTH, key, KEY_ID, MODEL, rollout, ROLLOUT_ID, rolloutDetail } from './shapes.js';

const { arrayContaining, fromProviderState, regex } = MatchersV3;

/** Paths with an id the provider generates: the verifier fills it in from the state's result. */
const keyPath = fromProviderState('/v1/keys/${keyId}', `/v1/keys/${KEY_ID}`);
const rolloutPath = (suffix = '') =>
  fromProviderState(`/v1/rollouts/\${rolloutId}${suffix}`, `/v1/rollouts/${ROLLOUT_ID}${suffix}`);

/** API keys and rollouts. */
export const ADMIN_INTERACTIONS: ContractInteraction[] = [
  {
    state: STATES.running,
    description: 'a request to create a predict key',
    define: (i) =>
      i
        .withRequest('POST', '/v1/keys', (r) => r.headers(AUTH).jsonBody({ name: 'ci', scopes: ['predict'] }))
        .willRespondWith(201, (r) =>
          r.jsonBody({
            ...key(false),
            name: 'ci',
            scopes: ['predict'],
            key: regex('^mg_[A-Za-z0-9]{8,32}_.+$', `mg_${KEY_ID}_secretpart`),
          }),
        ),
    exercise: async ({ keyed }) => {
      const created = await keyed.createKey('ci', ['predict']);
      assert.ok(created.key.startsWith(`mg_${created.id}_`));
    },
  },
  {
    state: STATES.key,
    description: 'a request for the list of keys',
    define: (i) =>
      i
        .withRequest('GET', '/v1/keys', (r) => r.headers(AUTH))
        // the shared provider also holds revoked keys (revoked_at set): the list contains a live one
        .willRespondWith(200, (r) => r.jsonBody({ keys: arrayContaining(key(false)) })),
    exercise: async ({ keyed }) => {
      const keys = await keyed.listKeys();
      assert.equal(keys[0]?.id, KEY_ID);
      assert.equal(keys[0]?.revoked_at, null);
    },
  },
  {
    state: STATES.key,
    description: 'a request to revoke a key',
    define: (i) =>
      i
        .withRequest('DELETE', keyPath, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody(key(true))),
    exercise: async ({ keyed }) => {
      const revoked = await keyed.revokeKey(KEY_ID);
      assert.equal(typeof revoked.revoked_at, 'string');
    },
  },
  {
    state: STATES.twoVersions,
    description: 'a request to start a canary rollout of 1.1.0',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/rollouts`, (r) =>
          r.headers(AUTH).jsonBody({ candidate: '1.1.0', strategy: 'canary' }),
        )
        .willRespondWith(201, (r) => r.jsonBody(rolloutDetail('running'))),
    exercise: async ({ keyed }) => {
      const started = await keyed.startRollout(MODEL, { candidate: '1.1.0', strategy: 'canary' });
      assert.equal(started.state, 'running');
      assert.equal(started.id, ROLLOUT_ID);
    },
  },
  {
    state: STATES.rollout,
    description: 'a request for a running rollout',
    define: (i) =>
      i
        .withRequest('GET', rolloutPath(), (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody(rolloutDetail('running'))),
    exercise: async ({ keyed }) => {
      const r = await keyed.getRollout(ROLLOUT_ID);
      assert.equal(r.candidate, '1.1.0');
      assert.equal(r.window?.candidate.requests, 0);
    },
  },
  {
    state: STATES.rollout,
    description: 'a request for the rollouts of breast-cancer',
    define: (i) =>
      i
        .withRequest('GET', `/v1/models/${MODEL}/rollouts`, (r) => r.headers(AUTH))
        // and earlier, ended rollouts of the model: the list contains the running one
        .willRespondWith(200, (r) => r.jsonBody({ rollouts: arrayContaining(rollout('running')) })),
    exercise: async ({ keyed }) => {
      const rollouts = await keyed.listRollouts(MODEL);
      assert.equal(rollouts[0]?.state, 'running');
    },
  },
  {
    state: STATES.rollout,
    description: 'a request to pause a running rollout',
    define: (i) =>
      i
        .withRequest('POST', rolloutPath('/pause'), (r) => r.headers(AUTH).jsonBody({}))
        .willRespondWith(200, (r) => r.jsonBody(rolloutDetail('paused'))),
    exercise: async ({ keyed }) => {
      const paused = await keyed.rolloutAction(ROLLOUT_ID, 'pause');
      assert.equal(paused.state, 'paused');
    },
  },
];
