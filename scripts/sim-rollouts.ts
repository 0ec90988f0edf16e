// npm run sim:rollouts: the rollout judge over simulated traffic. Prints the false-abort rate over
// A/A rollouts (candidate = stable; target ≤ 1%) and the detection rate of a candidate with +5
// percentage points of errors within two analysis intervals (target ≥ 95%).
import { simulate, standardScenarios } from '../src/modules/rollouts/simulate.js';

const N = Number(process.env.SIM_ROLLOUTS ?? 1000); // at least 200 each, as the issue asks
const SEED = Number(process.env.SIM_SEED ?? 20261123);
const scenarios = standardScenarios(N, SEED);
// SIM_REQUESTS: requests per analysis interval (default 3000), to see the judge at lower traffic
const perInterval = Number(process.env.SIM_REQUESTS ?? scenarios.aa.requestsPerInterval);
const aa = { ...scenarios.aa, requestsPerInterval: perInterval };
const worse = { ...scenarios.worse, requestsPerInterval: perInterval };
const started = performance.now();
const a = simulate(aa);
const b = simulate(worse);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(
  `traffic: ${aa.requestsPerInterval} requests per analysis interval; steps canary ${aa.weights.join('% → ')}%, ` +
    `${aa.looksPerStep} looks each; baseline 1% errors, median 5 ms; alpha 0.01 over all looks and checks (seed ${SEED})`,
);
console.log(
  `A/A rollouts:        ${a.rollouts}, aborted ${a.aborted} → false-abort rate ${pct(a.abortRate)} (target ≤ 1%)`,
);
console.log(
  `+5 pp error rollouts: ${b.rollouts}, caught ${b.aborted} (${pct(b.abortRate)}), ` +
    `within two intervals ${b.abortedWithinTwoIntervals} → ${pct(b.abortedWithinTwoIntervals / b.rollouts)} (target ≥ 95%)`,
);
console.log(`failing checks: A/A ${JSON.stringify(a.reasons)}, +5 pp ${JSON.stringify(b.reasons)}`);
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
const ok = a.abortRate <= 0.01 && b.abortedWithinTwoIntervals / b.rollouts >= 0.95;
process.exit(ok ? 0 : 1);
