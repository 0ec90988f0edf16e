import type { Db } from '../../store/database.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { appendAudit } from '../audit/audit.js';
import type { Task } from '../registry/manifest.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { Actor } from '../registry/types.js';
import type { Evaluation, SqlEvaluationStore } from './evaluation-store.js';
import { checkPromotion, summarise, type PromotionResult, type PromotionRule } from './promotion-policy.js';

/** Metrics only one kind of task produces: a rule on them does not apply to the other kind. */
const CLASSIFICATION_ONLY = new Set(['roc_auc', 'accuracy', 'f1', 'log_loss']);
const REGRESSION_ONLY = new Set(['mae', 'rmse', 'r2']);

/** Rules that apply to a task: one policy can then govern classifiers and regressors alike. */
function rulesFor(rules: readonly PromotionRule[], task: Task): PromotionRule[] {
  const foreign = task === 'regression' ? CLASSIFICATION_ONLY : REGRESSION_ONLY;
  return rules.filter((r) => !foreign.has(r.metric));
}

/**
 * Enforces the promotion policy where a version would start taking production traffic: promote
 * and rollout start. The candidate is judged on its latest evaluation; relative rules compare it
 * with production's evaluation on the same data. A refusal is PROMOTION_POLICY_FAILED naming each
 * failing metric; an admin may override with a reason, which is written to the audit log with
 * the checks it overrode.
 */
export class PromotionGate {
  constructor(
    private readonly deps: {
      rules: readonly PromotionRule[];
      evaluations: SqlEvaluationStore;
      registry: RegistryService;
      db: Db;
      clock: Clock;
    },
  ) {}

  get active(): boolean {
    return this.deps.rules.length > 0;
  }

  /** The policy's verdict on making `version` production, without enforcing it. */
  async check(model: string, version: string): Promise<PromotionResult> {
    const v = await this.deps.registry.getVersion(model, version);
    const rules = rulesFor(this.deps.rules, v.task);
    if (rules.length === 0) return { allowed: true, checks: [] };
    const candidate = (await this.deps.evaluations.list(model, version))[0];
    const production = (await this.deps.registry.getAliases(model)).production;
    let baseline: Evaluation | undefined;
    if (production !== undefined && production !== version && candidate) {
      baseline = (await this.deps.evaluations.list(model, production, candidate.dataSha256))[0];
      // no evaluation on the same data: the newest one, so the refusal can say the data differ
      baseline ??= (await this.deps.evaluations.list(model, production))[0];
    }
    return checkPromotion(
      rules,
      { version, evaluation: candidate && summary(candidate) },
      production === undefined || production === version
        ? undefined
        : { version: production, evaluation: baseline && summary(baseline) },
    );
  }

  /**
   * Throws PROMOTION_POLICY_FAILED unless the policy is met or an override reason is given. With
   * an override, returns the record to audit once the action has happened (`recordOverride`).
   */
  async enforce(
    model: string,
    version: string,
    action: 'promote' | 'rollout',
    overrideReason?: string,
  ): Promise<Override | undefined> {
    if (!this.active) return undefined;
    const result = await this.check(model, version);
    if (result.allowed) return undefined;
    if (overrideReason === undefined) {
      const failing = result.checks.filter((c) => c.verdict === 'fail');
      throw new AppError(
        'PROMOTION_POLICY_FAILED',
        `${model} ${version} cannot ${action === 'promote' ? 'be promoted' : 'be rolled out'}: ${summarise(result)}. An admin may override with a reason (override_reason).`,
        {
          errors: failing.map((c) => ({ pointer: `/metrics/${c.metric}`, detail: `${c.rule}: ${c.detail}` })),
        },
      );
    }
    return { model, version, action, reason: overrideReason, checks: result.checks };
  }

  /** Audits an override after the promotion or rollout it allowed went ahead. */
  async recordOverride(o: Override, actor: Actor): Promise<void> {
    await appendAudit(this.deps.db, this.deps.clock.now().toISOString(), {
      principal: actor.id,
      action: 'model.promotion_policy_overridden',
      model: o.model,
      version: o.version,
      after: { action: o.action, reason: o.reason, checks: o.checks },
    });
  }
}

/** A refused promotion let through by an admin's reason. */
export interface Override {
  model: string;
  version: string;
  action: 'promote' | 'rollout';
  reason: string;
  checks: PromotionResult['checks'];
}

const summary = (e: Evaluation) => ({ metrics: e.metrics, data_sha256: e.dataSha256 });
