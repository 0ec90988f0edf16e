import { join } from 'node:path';
import type { VerifierOptions } from '@pact-foundation/pact';
import { DEMO, FIXTURES, type TestServer } from '../helpers/server.js';
import { MODEL } from './shapes.js';

/** State name → setup function (the package root does not export the type by name). */
export type StateHandlers = NonNullable<VerifierOptions['stateHandlers']>;

/** The provider states the consumer's interactions name (the pact stores them by these texts). */
export const STATES = {
  running: 'the server is running',
  production: 'model breast-cancer 1.0.0 is in production',
  twoVersions: 'model breast-cancer has versions 1.0.0 and 1.1.0',
  previous: 'model breast-cancer 1.1.0 is in production with 1.0.0 as previous',
  staged: 'model breast-cancer 1.1.0 was just staged',
  rollout: 'a rollout of breast-cancer to 1.1.0 is running',
  key: 'an API key exists',
  noModel: 'no model named unknown-model exists',
  unserved: 'model diabetes is registered without a production version',
} as const;

/**
 * Handlers that bring ONE shared server into each state, whatever the interaction before left
 * behind (the verifier replays interactions in the pact file's order, not the consumer's): each
 * handler converges (registers what is missing, aborts a rollout left running, moves aliases)
 * instead of assuming a fresh database. A fresh server per interaction would be simpler to reason
 * about but costs a model load each time.
 *
 * Ids the provider generates (rollout id, key id) are returned to the verifier, which injects them
 * into the request path (`fromProviderState`).
 */
export function providerStates(s: TestServer): StateHandlers {
  let registered = false;
  const registerBoth = async () => {
    if (registered) return;
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
    registered = true;
  };
  const abortActiveRollouts = async () => {
    for (const r of await s.admin.listRollouts(MODEL)) {
      if (r.ended_at === null) await s.admin.rolloutAction(r.id, 'abort');
    }
  };
  /** 1.0.0 serves, 1.1.0 is registered, no rollout runs. */
  const production = async () => {
    await registerBoth();
    await abortActiveRollouts();
    await s.admin.promote(MODEL, '1.0.0');
    return undefined;
  };
  const done = async () => undefined;

  return {
    [STATES.running]: done,
    [STATES.noModel]: done,
    [STATES.production]: production,
    [STATES.twoVersions]: production,
    [STATES.previous]: async () => {
      await production();
      await s.admin.promote(MODEL, '1.1.0');
      return undefined;
    },
    [STATES.staged]: async () => {
      await production();
      // cleared first so that setting it is a change, and so the newest audit event
      await s.admin.setAlias(MODEL, 'staging', null);
      await s.admin.setAlias(MODEL, 'staging', '1.1.0');
      return undefined;
    },
    [STATES.rollout]: async () => {
      await production();
      const r = await s.admin.startRollout(MODEL, { candidate: '1.1.0' });
      return { rolloutId: r.id };
    },
    [STATES.unserved]: async () => {
      // registering the same bytes again is a no-op: no need to remember it was done
      await s.admin.registerVersion(join(FIXTURES, 'diabetes-regressor/manifest.yaml'));
      return undefined;
    },
    [STATES.key]: async () => {
      const k = await s.admin.createKey('contract-state', ['predict']);
      return { keyId: k.id };
    },
  };
}
