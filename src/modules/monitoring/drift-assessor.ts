import { ThreadRpc } from '../../shared/thread-rpc.js';
import { assessDrift, type DriftAssessment, type DriftOptions } from './drift-assessment.js';
import type { AssessRequest } from './drift-worker-entry.js';
import type { LiveSnapshot } from './live-window.js';
import type { Profile } from './reference-profile.js';

/** Assesses a live snapshot against a reference profile. */
export type Assess = (
  profile: Profile,
  live: LiveSnapshot,
  options: DriftOptions,
) => Promise<DriftAssessment>;

/** On the calling thread: for unit tests and tools, where nothing else waits on the event loop. */
export const assessHere: Assess = (profile, live, options) =>
  Promise.resolve(assessDrift(profile, live, options));

/**
 * One worker thread for drift assessments: a 31-column assessment of a full window takes ~40 ms
 * of CPU (exact KS p-values), which on the serving thread would stall every prediction behind it.
 */
export class DriftWorker {
  readonly #thread = new ThreadRpc<AssessRequest, DriftAssessment>(
    'drift worker',
    new URL('./drift-worker-entry', import.meta.url),
    'drift assessment failed',
  );

  readonly assess: Assess = (profile, live, options) => this.#thread.call({ profile, live, options });

  close(): Promise<void> {
    return this.#thread.close();
  }
}
