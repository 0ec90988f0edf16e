import type { PactV4 } from '@pact-foundation/pact';
import type { ModelgateClient } from '../../src/client/client.js';

// the package root does not export the V4 builder types: derived from PactV4 itself
type Unconfigured = ReturnType<PactV4['addInteraction']>;
type WithResponse = ReturnType<ReturnType<Unconfigured['withRequest']>['willRespondWith']>;

/** The clients an interaction may use: one with a (fake) API key, one without any. */
export interface ConsumerClients {
  keyed: ModelgateClient;
  anonymous: ModelgateClient;
}

/**
 * One request the client makes and the answer it relies on. `exercise` calls the real
 * ModelgateClient method against the Pact mock server and asserts on what the client made of the
 * answer, so the recorded request is the one the client really sends.
 */
export interface ContractInteraction {
  state: string;
  description: string;
  define(interaction: Unconfigured): WithResponse;
  exercise(clients: ConsumerClients): Promise<void>;
}
