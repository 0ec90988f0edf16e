// The plans a rollout can start from. The strategy presets are the server's own (sent as
// `strategy` with no plan, so the console never holds a stale copy); the quick plan runs in
// seconds, for a demo or a staging server with traffic.

export interface PlanTemplate {
  id: string;
  label: string;
  strategy: 'canary' | 'shadow' | 'blue-green' | 'ab';
  /** a plan to send; absent: the server's preset for the strategy */
  plan?: Record<string, unknown>;
}

export const PLAN_TEMPLATES: readonly PlanTemplate[] = [
  { id: 'canary', label: 'Canary: smoke, shadow 5%, 25%, 50%, 100% (server preset)', strategy: 'canary' },
  { id: 'shadow', label: 'Shadow 20% for 30 min (server preset)', strategy: 'shadow' },
  { id: 'blue-green', label: 'Blue-green: smoke, then all at once (server preset)', strategy: 'blue-green' },
  { id: 'ab', label: 'A/B 50% for an hour, then a human decides (server preset)', strategy: 'ab' },
  {
    id: 'quick',
    label: 'Quick canary: seconds per step (demo, staging)',
    strategy: 'canary',
    plan: {
      steps: [
        { type: 'smoke' },
        { type: 'shadow', percent: 20, duration: 4 },
        { type: 'canary', weight: 25, duration: 4 },
        { type: 'canary', weight: 50, duration: 4 },
        { type: 'canary', weight: 100, duration: 4 },
      ],
      interval: 2,
      no_data: 'wait',
    },
  },
];

/**
 * The body of `POST /v1/models/{name}/rollouts` from the form: the template's strategy, and the
 * plan text when there is one (JSON; an empty text means the strategy's preset).
 */
export function rolloutBody(
  candidate: string,
  template: PlanTemplate,
  planText: string,
): { candidate: string; strategy: string; plan?: unknown } {
  const text = planText.trim();
  if (text === '') return { candidate, strategy: template.strategy };
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new Error(`the plan is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { candidate, strategy: template.strategy, plan };
}

export const planText = (t: PlanTemplate): string => (t.plan ? JSON.stringify(t.plan, null, 2) : '');
