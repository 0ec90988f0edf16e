import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Rollouts } from '../../modules/rollouts/rollouts.js';
import type { Decision, Rollout } from '../../modules/rollouts/types.js';
import { STRATEGIES } from '../../modules/rollouts/plan.js';
import { refuseArchived } from '../../modules/registry/refuse-archived.js';
import type { AppServices } from '../app-services.js';
import { ModelParams, OverrideReason, responses, VersionParam } from '../schemas.js';

const RolloutSchema = Type.Object({
  id: Type.String(),
  model: Type.String(),
  candidate: Type.String(),
  baseline: Type.String(),
  strategy: Type.String(),
  state: Type.String(),
  step_index: Type.Integer(),
  steps: Type.Array(Type.Unknown()),
  current_step: Type.Union([Type.Unknown(), Type.Null()]),
  step_started_at: Type.String(),
  interval_seconds: Type.Number(),
  no_data: Type.String(),
  max_prediction_psi: Type.Union([Type.Number(), Type.Null()]),
  max_looks: Type.Integer(),
  checkpoint: Type.Unknown(),
  reason: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  ended_at: Type.Union([Type.String(), Type.Null()]),
});

const RolloutDetailSchema = Type.Composite([
  RolloutSchema,
  Type.Object({
    min_requests: Type.Integer({
      description: "requests each judged arm needs in a step's window before the analysis judges it",
    }),
    window: Type.Union([Type.Unknown(), Type.Null()]),
    decisions: Type.Array(
      Type.Object({
        id: Type.Integer(),
        at: Type.String(),
        step_index: Type.Integer(),
        look: Type.Integer(),
        verdict: Type.String(),
        action: Type.String(),
        checks: Type.Array(Type.Unknown()),
        writer: Type.String({ description: 'the replica that took the decision (its replica_id)' }),
      }),
    ),
  }),
]);

const StartBodySchema = Type.Object(
  {
    candidate: VersionParam,
    strategy: Type.Optional(Type.Union(STRATEGIES.map((s) => Type.Literal(s)))),
    /** a plan of your own (steps, interval, no_data, max_prediction_psi); default: the strategy's preset */
    plan: Type.Optional(Type.Unknown()),
    /** an admin's reason to start although the promotion policy refuses the candidate */
    override_reason: Type.Optional(OverrideReason),
  },
  { additionalProperties: false },
);

const ACTION_SUMMARIES = {
  approve: 'Approve a rollout waiting at a manual step (a `pause` step of its plan)',
  pause: 'Pause a rollout: all traffic to stable, no analysis, until it is resumed',
  resume: 'Resume a paused rollout; its current step starts over',
  abort: 'Abort a rollout: all traffic back to stable at once',
} as const;

const RolloutParams = Type.Object({ id: Type.String({ pattern: '^ro_[0-9a-f]{16}$' }) });

export function rolloutBody(r: Rollout) {
  return {
    id: r.id,
    model: r.model,
    candidate: r.candidate,
    baseline: r.baseline,
    strategy: r.strategy,
    state: r.state,
    step_index: r.stepIndex,
    steps: r.plan.steps,
    current_step: r.plan.steps[r.stepIndex] ?? null,
    step_started_at: new Date(r.stepStartedAt).toISOString(),
    interval_seconds: r.plan.intervalS,
    no_data: r.plan.noData,
    max_prediction_psi: r.plan.maxPredictionPsi ?? null,
    max_looks: r.maxLooks,
    checkpoint: r.checkpoint,
    reason: r.reason,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    ended_at: r.endedAt,
  };
}

const decisionBody = (d: Decision) => ({
  id: d.id,
  at: d.at,
  step_index: d.stepIndex,
  look: d.look,
  verdict: d.verdict,
  action: d.action,
  checks: d.checks,
  writer: d.writer,
});

async function detail(rollouts: Rollouts, r: Rollout) {
  const active = r.state === 'running' || r.state === 'paused';
  return {
    ...rolloutBody(r),
    min_requests: rollouts.minRequests,
    window: active ? await rollouts.window(r) : null,
    decisions: (await rollouts.decisions(r.id, 50)).map(decisionBody),
  };
}

/** Rollouts: start, watch, approve, pause, resume, abort. */
export const rolloutRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const actor = (p: { id: string } | null) => ({ id: p?.id ?? 'anonymous' });

  app.post(
    '/v1/models/:name/rollouts',
    {
      config: { scope: 'admin', idempotent: 'body' },
      schema: {
        summary: "Start a rollout of a candidate version (the strategy's preset plan, or your own)",
        tags: ['rollouts'],
        params: ModelParams,
        body: StartBodySchema,
        response: responses({ 201: RolloutDetailSchema }),
      },
    },
    async (req, reply) => {
      refuseArchived(
        await services.registry.getVersion(req.params.name, req.body.candidate),
        'be rolled out',
      );
      const override = await services.promotion.enforce(
        req.params.name,
        req.body.candidate,
        'rollout',
        req.body.override_reason,
      );
      const r = await services.rollouts.start({
        model: req.params.name,
        candidate: req.body.candidate,
        ...(req.body.strategy ? { strategy: req.body.strategy } : {}),
        ...(req.body.plan !== undefined ? { plan: req.body.plan } : {}),
        actor: actor(req.principal),
      });
      if (override) await services.promotion.recordOverride(override, actor(req.principal));
      req.logFields = { model: r.model, version: r.candidate, rollout: r.id };
      return reply.code(201).send(await detail(services.rollouts, r));
    },
  );

  app.get(
    '/v1/models/:name/rollouts',
    {
      config: { scope: 'read' },
      schema: {
        summary: "List a model's rollouts, newest first (at most 50)",
        tags: ['rollouts'],
        params: ModelParams,
        response: responses({ 200: Type.Object({ rollouts: Type.Array(RolloutSchema) }) }),
      },
    },
    async (req) => ({ rollouts: (await services.rollouts.list(req.params.name)).map(rolloutBody) }),
  );

  app.get(
    '/v1/rollouts/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Show a rollout: its step, live window and latest analysis decisions',
        tags: ['rollouts'],
        params: RolloutParams,
        response: responses({ 200: RolloutDetailSchema }),
      },
    },
    async (req) => detail(services.rollouts, await services.rollouts.get(req.params.id)),
  );

  for (const action of ['approve', 'pause', 'resume', 'abort'] as const) {
    app.post(
      `/v1/rollouts/:id/${action}`,
      {
        config: { scope: 'admin', idempotent: 'body' },
        schema: {
          summary: ACTION_SUMMARIES[action],
          tags: ['rollouts'],
          params: RolloutParams,
          response: responses({ 200: RolloutDetailSchema }),
        },
      },
      async (req) => {
        const r = await services.rollouts[action](req.params.id, actor(req.principal));
        req.logFields = { model: r.model, version: r.candidate, rollout: r.id };
        return detail(services.rollouts, r);
      },
    );
  }
};
