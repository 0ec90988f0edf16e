import { DEFAULT_JUDGE, emptyArm, judge, type ArmWindow, type JudgeConfig } from './judge.js';
import { mulberry32 } from '../../shared/seeded-random.js';

/**
 * Monte-Carlo rollouts through the real judge, for `npm run sim:rollouts` and its test: how often
 * does a candidate as good as stable get rolled back (false aborts), and how fast is a worse one
 * caught? Traffic per analysis interval is split by the step's weight; each step's window grows
 * look by look, as in the controller; a 100% step is judged against the previous step's baseline.
 */
export interface SimScenario {
  rollouts: number;
  /** requests per analysis interval, all variants together */
  requestsPerInterval: number;
  /** canary weights of the steps, in percent */
  weights: number[];
  looksPerStep: number;
  baselineErrorRate: number;
  candidateErrorRate: number;
  /** median latency of each arm, milliseconds (lognormal, sigma 0.5) */
  baselineMedianMs: number;
  candidateMedianMs: number;
  seed: number;
  judge?: Partial<JudgeConfig>;
}

export interface SimResult {
  rollouts: number;
  aborted: number;
  /** aborted at look 1 or 2 of the first step */
  abortedWithinTwoIntervals: number;
  abortRate: number;
  reasons: Record<string, number>;
}

const LATENCY_SAMPLE = 2000;

function addTraffic(arm: ArmWindow, n: number, errorRate: number, medianMs: number, rnd: () => number): void {
  for (let i = 0; i < n; i++) {
    arm.requests++;
    if (rnd() < errorRate) arm.errors++;
    if (arm.latenciesMs.length < LATENCY_SAMPLE) {
      // Box-Muller normal → lognormal latency
      const z = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
      arm.latenciesMs.push(medianMs * Math.exp(0.5 * z));
    }
  }
}

export function simulate(s: SimScenario): SimResult {
  const rnd = mulberry32(s.seed);
  const cfg: JudgeConfig = { ...DEFAULT_JUDGE, maxLooks: s.weights.length * s.looksPerStep, ...s.judge };
  let aborted = 0;
  let early = 0;
  const reasons: Record<string, number> = {};
  for (let r = 0; r < s.rollouts; r++) {
    let previousBaseline = emptyArm();
    let done = false;
    for (let step = 0; step < s.weights.length && !done; step++) {
      const w = s.weights[step]! / 100;
      const baseline = emptyArm();
      const candidate = emptyArm();
      for (let look = 1; look <= s.looksPerStep; look++) {
        const nc = Math.round(s.requestsPerInterval * w);
        addTraffic(candidate, nc, s.candidateErrorRate, s.candidateMedianMs, rnd);
        addTraffic(baseline, s.requestsPerInterval - nc, s.baselineErrorRate, s.baselineMedianMs, rnd);
        const reference = w >= 1 ? previousBaseline : baseline;
        const j = judge(reference, candidate, cfg);
        if (j.verdict === 'fail') {
          aborted++;
          if (step === 0 && look <= 2) early++;
          for (const c of j.checks.filter((c) => c.verdict === 'fail'))
            reasons[c.name] = (reasons[c.name] ?? 0) + 1;
          done = true;
          break;
        }
      }
      if (w < 1) previousBaseline = baseline;
    }
  }
  return {
    rollouts: s.rollouts,
    aborted,
    abortedWithinTwoIntervals: early,
    abortRate: aborted / s.rollouts,
    reasons,
  };
}

/** The two scenarios the issue names, on the default preset's canary steps. */
export function standardScenarios(rollouts: number, seed: number): { aa: SimScenario; worse: SimScenario } {
  const common = {
    rollouts,
    requestsPerInterval: 3000,
    weights: [25, 50, 100],
    looksPerStep: 10,
    baselineErrorRate: 0.01,
    baselineMedianMs: 5,
    candidateMedianMs: 5,
    seed,
  };
  return {
    aa: { ...common, candidateErrorRate: 0.01 },
    worse: { ...common, candidateErrorRate: 0.06, seed: seed + 1 },
  };
}
