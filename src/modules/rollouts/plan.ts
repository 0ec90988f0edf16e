import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AppError, type FieldProblem } from '../../shared/errors.js';

/** Seconds, or a string like "30s", "10m", "2h". */
const Duration = Type.Union([
  Type.Integer({ minimum: 1, maximum: 7 * 86_400 }),
  Type.String({ pattern: '^[0-9]+(s|m|h)$' }),
]);

export const StepSchema = Type.Union([
  Type.Object({ type: Type.Literal('smoke') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('shadow'),
      percent: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
      duration: Duration,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('canary'),
      weight: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
      duration: Duration,
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('pause') }, { additionalProperties: false }),
]);

export const PlanSchema = Type.Object(
  {
    steps: Type.Array(StepSchema, { minItems: 1, maxItems: 50 }),
    /** analysis interval */
    interval: Type.Optional(Duration),
    no_data: Type.Optional(Type.Union([Type.Literal('wait'), Type.Literal('pause'), Type.Literal('fail')])),
    /** opt-in: roll back when the candidate's predictions shift from stable's by more than this PSI */
    max_prediction_psi: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10 })),
  },
  { additionalProperties: false },
);

export type PlanInput = Static<typeof PlanSchema>;
export type StepInput = Static<typeof StepSchema>;

export type Step =
  | { type: 'smoke' }
  | { type: 'shadow'; percent: number; durationS: number }
  | { type: 'canary'; weight: number; durationS: number }
  | { type: 'pause' };

export interface Plan {
  steps: Step[];
  intervalS: number;
  noData: 'wait' | 'pause' | 'fail';
  /** the prediction-shift check's PSI threshold; absent: the check is off */
  maxPredictionPsi?: number;
}

export const STRATEGIES = ['canary', 'shadow', 'blue-green', 'ab'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Each strategy's default plan. `canary` is the classic timeline of DESIGN.md. */
export const PRESETS: Record<Strategy, PlanInput> = {
  canary: {
    steps: [
      { type: 'smoke' },
      { type: 'shadow', percent: 5, duration: '10m' },
      { type: 'canary', weight: 25, duration: '10m' },
      { type: 'canary', weight: 50, duration: '10m' },
      { type: 'canary', weight: 100, duration: '10m' },
    ],
    interval: '1m',
    no_data: 'wait',
  },
  shadow: {
    steps: [{ type: 'smoke' }, { type: 'shadow', percent: 20, duration: '30m' }],
    interval: '1m',
    no_data: 'wait',
  },
  // fully warmed and smoke-tested, then all traffic at once; stable stays loaded for instant rollback
  'blue-green': {
    steps: [{ type: 'smoke' }, { type: 'canary', weight: 100, duration: '10m' }],
    interval: '1m',
    no_data: 'wait',
  },
  // a fixed split for an experiment, then a human decides
  ab: {
    steps: [{ type: 'smoke' }, { type: 'canary', weight: 50, duration: '1h' }, { type: 'pause' }],
    interval: '5m',
    no_data: 'pause',
  },
};

export function seconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const n = Number(d.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600 }[d.slice(-1) as 's' | 'm' | 'h'];
}

/** Validates a plan (JSON/YAML already parsed) and normalises durations to seconds. */
export function parsePlan(input: unknown, basePointer = '/plan'): Plan {
  if (!Value.Check(PlanSchema, input)) {
    const errors: FieldProblem[] = [...Value.Errors(PlanSchema, input)].slice(0, 20).map((e) => ({
      pointer: basePointer + e.path,
      detail: e.message,
    }));
    throw new AppError(
      'VALIDATION_FAILED',
      `the rollout plan is invalid: ${errors[0]?.pointer}: ${errors[0]?.detail}`,
      { errors },
    );
  }
  const intervalS = seconds(input.interval ?? '1m');
  const steps: Step[] = input.steps.map((s) =>
    s.type === 'shadow'
      ? { type: 'shadow', percent: s.percent, durationS: seconds(s.duration) }
      : s.type === 'canary'
        ? { type: 'canary', weight: s.weight, durationS: seconds(s.duration) }
        : { type: s.type },
  );
  for (const [i, s] of steps.entries()) {
    if ('durationS' in s && s.durationS < intervalS) {
      throw new AppError(
        'VALIDATION_FAILED',
        `step ${i} lasts ${s.durationS} s, shorter than the analysis interval ${intervalS} s`,
        {
          errors: [
            {
              pointer: `${basePointer}/steps/${i}/duration`,
              detail: `must be at least the interval (${intervalS} s)`,
            },
          ],
        },
      );
    }
  }
  return {
    steps,
    intervalS,
    noData: input.no_data ?? 'wait',
    ...(input.max_prediction_psi !== undefined ? { maxPredictionPsi: input.max_prediction_psi } : {}),
  };
}

/** Analysis looks the plan can take: the spending denominator of the judge (ADR 0006). */
export function maxLooks(plan: Plan): number {
  return plan.steps.reduce((n, s) => n + ('durationS' in s ? Math.ceil(s.durationS / plan.intervalS) : 0), 0);
}
