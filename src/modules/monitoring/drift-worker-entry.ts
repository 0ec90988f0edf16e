// Runs in the drift worker thread: assessments (KS, chi-square, PSI) off the event loop that
// serves predictions. See DriftWorker.
import { answerRequests } from '../../shared/thread-rpc.js';
import { assessDrift, type DriftOptions } from './drift-assessment.js';
import type { LiveSnapshot } from './live-window.js';
import type { Profile } from './reference-profile.js';

export interface AssessRequest {
  profile: Profile;
  live: LiveSnapshot;
  options: DriftOptions;
}

answerRequests(({ profile, live, options }: AssessRequest) => assessDrift(profile, live, options));
