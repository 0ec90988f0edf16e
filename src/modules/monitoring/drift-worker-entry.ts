// Runs in the drift worker thread: assessments (KS, chi-square, PSI) off the event loop that
// serves predictions. See DriftWorker.
import { parentPort } from 'node:worker_threads';
import { assessDrift, type DriftOptions } from './drift-assessment.js';
import type { LiveSnapshot } from './live-window.js';
import type { Profile } from './reference-profile.js';

export interface AssessRequest {
  id: number;
  profile: Profile;
  live: LiveSnapshot;
  options: DriftOptions;
}

parentPort!.on('message', ({ id, profile, live, options }: AssessRequest) => {
  try {
    parentPort!.postMessage({ id, assessment: assessDrift(profile, live, options) });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
