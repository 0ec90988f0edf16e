import type { Clock } from '../../shared/clock.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { LoadedModel } from '../serving/loaded-model.js';
import { runSmokeTests } from '../serving/smoke-tests.js';
import { assessReadiness, type Readiness } from './deployment-readiness.js';
import type { EvaluationService } from './evaluation-service.js';
import type { PromotionGate } from './promotion-gate.js';

const message = (err: unknown) => (err as Error)?.message ?? String(err);

/**
 * Gathers the facts of the deployment-readiness checklist (re-hashes the stored files, loads the
 * version and runs its smoke tests, asks the promotion policy, reads the deployment windows) and
 * judges them with assessReadiness. Read-only: nothing is promoted, loading is what a pinned
 * prediction would do.
 */
export class ReadinessService {
  constructor(
    private readonly deps: {
      registry: RegistryService;
      evaluations: EvaluationService;
      promotion: PromotionGate;
      load: (model: string, version: string) => Promise<LoadedModel>;
      windowProblem: (nowMs: number) => string | undefined;
      clock: Clock;
    },
  ) {}

  async assess(model: string, version: string): Promise<Readiness> {
    const { registry } = this.deps;
    const v = await registry.getVersion(model, version);
    const [aliases, reference, evaluations] = await Promise.all([
      registry.getAliases(model),
      registry.getReference(model, version),
      this.deps.evaluations.list(model, version),
    ]);
    const integrity = await registry.verify(model, version).then(
      (r) => ({ ok: r.ok, mismatched: r.files.filter((f) => !f.ok).map((f) => f.path) }),
      (err: unknown) => ({ error: message(err) }),
    );
    const tests = v.manifest.smoke_tests ?? [];
    let smokeError: string | undefined;
    try {
      // loading runs the smoke tests once; a version loaded long ago runs them again here
      await runSmokeTests(await this.deps.load(model, version), tests);
    } catch (err) {
      smokeError = message(err);
    }
    return assessReadiness({
      model,
      version,
      task: v.task,
      integrity,
      smoke: { tests: tests.length, ...(smokeError ? { error: smokeError } : {}) },
      promotion: this.deps.promotion.active ? await this.deps.promotion.check(model, version) : undefined,
      evaluations: evaluations.length,
      reference: reference !== undefined,
      card: {
        ...(v.manifest.intended_use ? { intended_use: v.manifest.intended_use } : {}),
        ...(v.manifest.limitations ? { limitations: v.manifest.limitations } : {}),
        ...(v.manifest.ethical_considerations
          ? { ethical_considerations: v.manifest.ethical_considerations }
          : {}),
      },
      labels: { names: v.signature.labels, declared: v.manifest.outputs?.labels !== undefined },
      aliases: {
        ...(aliases.production ? { production: aliases.production } : {}),
        ...(aliases.previous ? { previous: aliases.previous } : {}),
      },
      window: this.deps.windowProblem(this.deps.clock.nowMs()),
    });
  }
}
