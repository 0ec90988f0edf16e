import type { IncomingMessage, ServerResponse } from 'node:http';
import { Verifier } from '@pact-foundation/pact';
import type { TestServer } from '../helpers/server.js';
import type { StateHandlers } from './provider-states.js';

/** What the verifier made of a pact: the interactions it checked, and each mismatch it found. */
export interface VerificationOutcome {
  passed: boolean;
  verified: string[];
  failures: string[];
}

interface VerifierReport {
  result: boolean;
  interactionResults?: Array<{ description: string; result: string }>;
  errors?: Array<{ interaction: string; mismatch?: { mismatches?: Array<{ mismatch: string }> } }>;
}

/** The consumer's key is made up: the provider sees the real admin key, or none when none was sent. */
const asTheClientSends =
  (adminKey: string) => (req: IncomingMessage, _res: ServerResponse, next: () => void) => {
    if (req.headers.authorization !== undefined) req.headers.authorization = `Bearer ${adminKey}`;
    next();
  };

/**
 * Replays a pact file against the server. Resolves with the outcome whether or not the provider
 * honours the pact (a test asserts on it); rejects only when the verifier itself could not run.
 */
export async function verifyPact(
  s: TestServer,
  pactFile: string,
  stateHandlers: StateHandlers,
): Promise<VerificationOutcome> {
  const verifier = new Verifier({
    provider: 'modelgate',
    providerBaseUrl: s.url,
    pactUrls: [pactFile],
    stateHandlers,
    requestFilter: asTheClientSends(s.adminKey),
    logLevel: 'error',
  });
  let report: VerifierReport;
  try {
    report = JSON.parse(await verifier.verifyProvider()) as VerifierReport;
  } catch (err) {
    // a failed verification rejects with the report as the message; anything else is a crash
    const message = err instanceof Error ? err.message : '';
    if (!message.startsWith('{')) throw err;
    report = JSON.parse(message) as VerifierReport;
  }
  return {
    passed: report.result,
    verified: (report.interactionResults ?? []).filter((r) => r.result === 'OK').map((r) => r.description),
    failures: (report.errors ?? []).map(
      (e) => `${e.interaction}: ${(e.mismatch?.mismatches ?? []).map((m) => m.mismatch).join('; ')}`,
    ),
  };
}
