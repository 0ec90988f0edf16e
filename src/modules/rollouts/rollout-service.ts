import { reservoir } from '../../shared/reservoir.js';
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { KeyedMutex } from '../../shared/keyed-mutex.js';
import type { Database } from '../../store/schema.js';
import { appendAudit, type AuditAction } from '../audit/audit.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { Actor, Aliases } from '../registry/types.js';
import {
  DEFAULT_JUDGE,
  emptyArm,
  judge,
  type ArmWindow,
  type Check,
  type JudgeConfig,
  type Verdict,
} from './judge.js';
import { maxLooks, parsePlan, PRESETS, type Plan, type Step, type Strategy } from './plan.js';

export type RolloutState = 'running' | 'paused' | 'promoted' | 'rolled_back' | 'aborted';
export const ACTIVE_STATES: readonly RolloutState[] = ['running', 'paused'];

export interface Rollout {
  id: string;
  model: string;
  candidate: string;
  baseline: string;
  strategy: Strategy;
  plan: Plan;
  state: RolloutState;
  stepIndex: number;
  stepStartedAt: number;
  /** analysis looks taken in the current step */
  looks: number;
  maxLooks: number;
  /** the aliases when the rollout started */
  checkpoint: Aliases;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

export interface Decision {
  id: number;
  at: string;
  stepIndex: number;
  look: number;
  verdict: Verdict | 'n/a';
  action: string;
  checks: Check[];
}

export type Variant = 'stable' | 'candidate';

export interface RouteDecision {
  rolloutId: string;
  candidate: string;
  variant: Variant;
  /** mirror this request to the candidate after answering */
  shadow: boolean;
  /** the judge compares the arms' predictions: record one per request */
  predictions: boolean;
}

export interface RolloutEvent {
  type: 'started' | 'step_advanced' | 'paused' | 'resumed' | 'promoted' | 'rolled_back' | 'aborted';
  rollout: Rollout;
  detail: string;
}

export interface RolloutDeps {
  db: Kysely<Database>;
  registry: RegistryService;
  store: RegistryStore;
  /** loads, warms and smoke-tests a version (the smoke step) */
  prepare: (model: string, version: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
  judge?: Partial<Omit<JudgeConfig, 'maxLooks'>>;
  notify?: (e: RolloutEvent) => void;
  onDecision?: (r: Rollout, verdict: string, action: string) => void;
  /** deployment windows: returns why a rollout may not start now, or undefined */
  windowProblem?: (nowMs: number) => string | undefined;
}

export interface StartInput {
  model: string;
  candidate: string;
  strategy?: Strategy;
  plan?: unknown;
  actor: Actor;
}

interface Windows {
  stable: ArmWindow;
  candidate: ArmWindow;
}

const LATENCY_SAMPLE = 5000;
/** predictions (one per request) kept per arm for the prediction-shift check */
const PREDICTION_SAMPLE = 2000;

/**
 * Rollouts: a persisted state machine per rollout, advanced by `tick()` (the reconcile loop,
 * called on an interval with the injected clock). Every transition is written to the database
 * before it takes effect on routing, so a restarted process continues where the last one stopped.
 * Traffic windows live in memory: after a restart the current step's window starts again.
 */
export class RolloutService {
  readonly #mutex = new KeyedMutex();
  /** active rollouts by model, for routing */
  #active = new Map<string, Rollout>();
  readonly #windows = new Map<string, Windows>();
  /** the last partial step's baseline, for judging 100% steps */
  readonly #previousBaseline = new Map<string, ArmWindow>();

  constructor(private readonly deps: RolloutDeps) {}

  /** Reads the active rollouts (at start, and after a restart). */
  async load(): Promise<void> {
    const rows = await this.deps.db
      .selectFrom('rollouts')
      .selectAll()
      .where('state', 'in', [...ACTIVE_STATES])
      .execute();
    this.#active = new Map(rows.map((r) => [r.model_name, fromRow(r)]));
  }

  async start(input: StartInput): Promise<Rollout> {
    const strategy = input.strategy ?? 'canary';
    const plan = parsePlan(input.plan ?? PRESETS[strategy]);
    const why = this.deps.windowProblem?.(this.deps.clock.nowMs());
    if (why) throw new AppError('ROLLOUT_NOT_ALLOWED', why);
    return this.#mutex.run(input.model, async () => {
      const model = await this.deps.store.getModel(input.model);
      if (!model) throw new AppError('MODEL_NOT_FOUND', `model '${input.model}' is not registered`);
      const aliases = await this.deps.store.getAliases(input.model);
      if (!aliases.production) {
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `model '${input.model}' has no production version to roll out from; promote one first`,
        );
      }
      if (aliases.production === input.candidate) {
        throw new AppError('ROLLOUT_CONFLICT', `${input.candidate} is already the production version`);
      }
      if (!(await this.deps.store.getVersion(input.model, input.candidate))) {
        throw new AppError('VERSION_NOT_FOUND', `model '${input.model}' has no version '${input.candidate}'`);
      }
      const existing = this.#active.get(input.model);
      if (existing) {
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `rollout ${existing.id} of '${input.model}' is ${existing.state}; abort it or wait for it to end`,
        );
      }
      const now = this.deps.clock.now().toISOString();
      const rollout: Rollout = {
        id: `ro_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
        model: input.model,
        candidate: input.candidate,
        baseline: aliases.production,
        strategy,
        plan,
        state: 'running',
        stepIndex: 0,
        stepStartedAt: this.deps.clock.nowMs(),
        looks: 0,
        maxLooks: maxLooks(plan),
        checkpoint: aliases,
        reason: null,
        createdBy: input.actor.id,
        createdAt: now,
        updatedAt: now,
        endedAt: null,
      };
      try {
        await this.deps.db.transaction().execute(async (trx) => {
          await trx.insertInto('rollouts').values(toRow(rollout)).execute();
          await appendAudit(trx, now, {
            principal: input.actor.id,
            action: 'rollout.started',
            model: rollout.model,
            version: rollout.candidate,
            after: { rollout: rollout.id, strategy, baseline: rollout.baseline, steps: plan.steps.length },
          });
        });
      } catch (err) {
        if (/unique|UNIQUE/.test(String((err as Error).message))) {
          throw new AppError(
            'ROLLOUT_CONFLICT',
            `another rollout of '${input.model}' started at the same time`,
          );
        }
        throw err;
      }
      this.#active.set(rollout.model, rollout);
      this.#event(
        'started',
        rollout,
        `${strategy} rollout of ${rollout.candidate} (stable ${rollout.baseline})`,
      );
      return rollout;
    });
  }

  /** One pass of the reconcile loop over every running rollout. */
  async tick(): Promise<void> {
    for (const r of [...this.#active.values()]) {
      if (r.state !== 'running') continue;
      try {
        await this.#mutex.run(r.model, () => this.#reconcile(r));
      } catch (err) {
        this.deps.logger.error(
          { err, rollout: r.id, model: r.model },
          'rollout reconcile failed; retrying next tick',
        );
      }
    }
  }

  async approve(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, async (r) => {
      const step = r.plan.steps[r.stepIndex];
      if (r.state !== 'paused' || step?.type !== 'pause') {
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `rollout ${id} is not waiting for approval (state ${r.state}, step ${r.stepIndex})`,
        );
      }
      await this.#decide(r, 'n/a', 'approved', []);
      await this.#advance(r, actor, 'approved');
      return r;
    });
  }

  async pause(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, async (r) => {
      if (r.state !== 'running')
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} is ${r.state}, not running`);
      await this.#transition(r, 'paused', `paused by ${actor.id}`, actor, 'rollout.paused');
      this.#event('paused', r, r.reason!);
      return r;
    });
  }

  async resume(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, async (r) => {
      if (r.state !== 'paused')
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} is ${r.state}, not paused`);
      if (r.plan.steps[r.stepIndex]?.type === 'pause') {
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `rollout ${id} waits for approval at step ${r.stepIndex}: approve it`,
        );
      }
      r.stepStartedAt = this.deps.clock.nowMs();
      r.looks = 0;
      this.#windows.delete(windowKey(r));
      await this.#transition(r, 'running', null, actor, 'rollout.resumed');
      this.#event('resumed', r, `resumed by ${actor.id}`);
      return r;
    });
  }

  /** Ends the rollout at once: all traffic back to stable (what `modelgate rollback` also does). */
  async abort(id: string, actor: Actor, reason = 'aborted by hand'): Promise<Rollout> {
    return this.#change(id, async (r) => {
      await this.#end(r, 'aborted', `${reason} (${actor.id})`, actor);
      return r;
    });
  }

  /** Every active rollout. */
  allActive(): Rollout[] {
    return [...this.#active.values()];
  }

  /** The active rollout of a model, if any. */
  active(model: string): Rollout | undefined {
    return this.#active.get(model);
  }

  async get(id: string): Promise<Rollout> {
    const row = await this.deps.db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
    return this.#active.get(row.model_name)?.id === id ? this.#active.get(row.model_name)! : fromRow(row);
  }

  async list(model: string): Promise<Rollout[]> {
    const rows = await this.deps.db
      .selectFrom('rollouts')
      .selectAll()
      .where('model_name', '=', model)
      .orderBy('created_at', 'desc')
      .limit(50)
      .execute();
    return rows.map(fromRow);
  }

  async decisions(id: string, limit = 200): Promise<Decision[]> {
    const rows = await this.deps.db
      .selectFrom('rollout_decisions')
      .selectAll()
      .where('rollout_id', '=', id)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((d) => ({
      id: Number(d.id),
      at: d.at,
      stepIndex: d.step_index,
      look: d.look,
      verdict: d.verdict as Verdict,
      action: d.action,
      checks: JSON.parse(d.checks) as Check[],
    }));
  }

  /** Requests each judged arm needs in a step's window before the analysis judges it. */
  get minRequests(): number {
    return this.deps.judge?.minRequests ?? DEFAULT_JUDGE.minRequests;
  }

  /** Live numbers of the current step, for status views. */
  window(r: Rollout): { stable: ArmSummary; candidate: ArmSummary } {
    const w = this.#windows.get(windowKey(r)) ?? { stable: emptyArm(), candidate: emptyArm() };
    const strip = ({ latenciesMs: _l, predictions: _p, ...rest }: ArmWindow): ArmSummary => rest;
    return { stable: strip(w.stable), candidate: strip(w.candidate) };
  }

  // --- routing (called on every predict) ---

  /**
   * Which variant answers: sticky by routing key (hash(key, rollout id) → bucket in [0, 10000),
   * candidate below weight × 100, so raising the weight only moves keys from stable to candidate);
   * without a key, per request. `override` (admin only) pins a variant for testing.
   */
  route(model: string, routingKey: string | undefined, override?: Variant): RouteDecision | undefined {
    const r = this.#active.get(model);
    if (!r || r.state !== 'running') return undefined;
    const step = r.plan.steps[r.stepIndex];
    if (!step || (step.type !== 'canary' && step.type !== 'shadow')) return undefined;
    const b = bucket(routingKey, r.id);
    const base = {
      rolloutId: r.id,
      candidate: r.candidate,
      predictions: r.plan.maxPredictionPsi !== undefined,
    };
    if (step.type === 'shadow')
      return {
        ...base,
        variant: override ?? 'stable',
        shadow: override === undefined && b < step.percent * 100,
      };
    return { ...base, variant: override ?? (b < step.weight * 100 ? 'candidate' : 'stable'), shadow: false };
  }

  /** One answered request of a rollout's variant. */
  record(
    d: RouteDecision,
    variant: Variant,
    outcome: {
      serverError: boolean;
      latencyMs: number;
      prediction?: number | string | undefined;
    },
  ): void {
    const w = this.#windowById(d.rolloutId);
    if (!w) return;
    const arm = w[variant];
    arm.requests++;
    if (outcome.serverError) arm.errors++;
    reservoir(arm.latenciesMs, arm.requests, outcome.latencyMs, LATENCY_SAMPLE, Math.random);
    if (outcome.prediction !== undefined)
      reservoir(arm.predictions, ++arm.predicted, outcome.prediction, PREDICTION_SAMPLE, Math.random);
  }

  /** One shadow comparison: did the candidate agree with stable on the same inputs? */
  recordShadow(
    d: RouteDecision,
    outcome: { agreed: number; compared: number; serverError: boolean; latencyMs: number },
  ): void {
    const w = this.#windowById(d.rolloutId);
    if (!w) return;
    w.candidate.shadowCompared += outcome.compared;
    w.candidate.shadowAgreed += outcome.agreed;
    this.record(d, 'candidate', outcome);
  }

  /** Feedback on a prediction answered by a variant (correct or not), for the accuracy check. */
  recordFeedback(rolloutId: string, variant: Variant, correct: boolean): void {
    const w = this.#windowById(rolloutId);
    if (!w) return;
    w[variant].labelled++;
    if (correct) w[variant].correct++;
  }

  // --- the state machine ---

  async #reconcile(r: Rollout): Promise<void> {
    if (r.state !== 'running') return;
    const step = r.plan.steps[r.stepIndex];
    if (!step) return this.#promote(r);
    const system = { id: `rollout:${r.id}` };
    switch (step.type) {
      case 'smoke': {
        try {
          await this.deps.prepare(r.model, r.candidate);
        } catch (err) {
          const detail = isAppError(err) ? `${err.code}: ${err.detail}` : 'the candidate could not be loaded';
          await this.#decide(r, 'fail', 'rolled_back', []);
          return this.#end(r, 'rolled_back', `smoke step failed: ${detail}`, system);
        }
        await this.#decide(r, 'pass', 'advanced', []);
        return this.#advance(r, system, 'smoke tests passed');
      }
      case 'pause': {
        await this.#decide(r, 'n/a', 'paused', []);
        await this.#transition(
          r,
          'paused',
          `waiting for approval at step ${r.stepIndex}`,
          system,
          'rollout.paused',
        );
        this.#event('paused', r, r.reason!);
        return;
      }
      default:
        return this.#analyse(r, step, system);
    }
  }

  async #analyse(r: Rollout, step: Extract<Step, { durationS: number }>, system: Actor): Promise<void> {
    const now = this.deps.clock.nowMs();
    const elapsed = now - r.stepStartedAt;
    const due = Math.floor(elapsed / (r.plan.intervalS * 1000));
    if (due <= r.looks) return;
    r.looks = due;
    const w = this.#windowsOf(r);
    const full = step.type === 'canary' && step.weight >= 100;
    const previous = full ? this.#previousBaseline.get(r.id) : undefined;
    const j = judge(previous ?? w.stable, w.candidate, {
      ...DEFAULT_JUDGE,
      ...this.deps.judge,
      maxLooks: Math.max(r.maxLooks, 1),
      earlierBaseline: previous !== undefined,
      ...(r.plan.maxPredictionPsi !== undefined ? { maxPredictionPsi: r.plan.maxPredictionPsi } : {}),
    });
    const ended = elapsed >= step.durationS * 1000;
    if (j.verdict === 'fail') {
      await this.#decide(r, 'fail', 'rolled_back', j.checks);
      const failed = j.checks.filter((c) => c.verdict === 'fail').map((c) => `${c.name}: ${c.reason}`);
      return this.#end(
        r,
        'rolled_back',
        `step ${r.stepIndex} (${describe(step)}) failed: ${failed.join('; ')}`,
        system,
      );
    }
    if (!ended) {
      await this.#decide(r, j.verdict, 'continue', j.checks);
      return this.#save(r);
    }
    if (j.verdict === 'pass') {
      await this.#decide(r, 'pass', 'advanced', j.checks);
      if (!full) this.#previousBaseline.set(r.id, w.stable);
      return this.#advance(r, system, `step ${r.stepIndex} (${describe(step)}) passed`);
    }
    // the step is over but some check lacks data
    const missing = j.checks
      .filter((c) => c.verdict === 'inconclusive')
      .map((c) => `${c.name}: ${c.reason}`)
      .join('; ');
    switch (r.plan.noData) {
      case 'wait':
        await this.#decide(r, 'inconclusive', 'waiting for data', j.checks);
        return this.#save(r);
      case 'pause':
        await this.#decide(r, 'inconclusive', 'paused', j.checks);
        await this.#transition(
          r,
          'paused',
          `not enough data at the end of step ${r.stepIndex}: ${missing}`,
          system,
          'rollout.paused',
        );
        this.#event('paused', r, r.reason!);
        return;
      case 'fail':
        await this.#decide(r, 'inconclusive', 'rolled_back', j.checks);
        return this.#end(
          r,
          'rolled_back',
          `not enough data at the end of step ${r.stepIndex}: ${missing}`,
          system,
        );
    }
  }

  async #advance(r: Rollout, actor: Actor, detail: string): Promise<void> {
    this.#windows.delete(windowKey(r));
    r.stepIndex++;
    r.stepStartedAt = this.deps.clock.nowMs();
    r.looks = 0;
    r.state = 'running';
    r.reason = null;
    await this.#persist(r, actor, 'rollout.step_advanced', { step: r.stepIndex, detail });
    this.#event('step_advanced', r, detail);
    if (r.stepIndex >= r.plan.steps.length) await this.#promote(r);
  }

  async #promote(r: Rollout): Promise<void> {
    const actor = { id: `rollout:${r.id}` };
    await this.deps.registry.promote(r.model, r.candidate, actor);
    await this.#end(r, 'promoted', `all ${r.plan.steps.length} steps passed`, actor);
  }

  async #end(
    r: Rollout,
    state: 'promoted' | 'rolled_back' | 'aborted',
    reason: string,
    actor: Actor,
  ): Promise<void> {
    r.state = state;
    r.reason = reason;
    r.endedAt = this.deps.clock.now().toISOString();
    // routing first: from this line on, every request goes to stable (or, promoted, to production)
    this.#active.delete(r.model);
    this.#windows.delete(windowKey(r));
    this.#previousBaseline.delete(r.id);
    const action: AuditAction =
      state === 'promoted'
        ? 'rollout.promoted'
        : state === 'aborted'
          ? 'rollout.aborted'
          : 'rollout.rolled_back';
    await this.#persist(r, actor, action, { state, reason });
    this.#event(state, r, reason);
    this.deps.logger[state === 'promoted' ? 'info' : 'warn'](
      { rollout: r.id, model: r.model, candidate: r.candidate, reason },
      `rollout ${state}`,
    );
  }

  async #transition(
    r: Rollout,
    state: 'running' | 'paused',
    reason: string | null,
    actor: Actor,
    action: AuditAction,
  ): Promise<void> {
    r.state = state;
    r.reason = reason;
    await this.#persist(r, actor, action, { state, reason, step: r.stepIndex });
  }

  async #persist(r: Rollout, actor: Actor, action: AuditAction, after: unknown): Promise<void> {
    r.updatedAt = this.deps.clock.now().toISOString();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.updateTable('rollouts').set(toRow(r)).where('id', '=', r.id).execute();
      await appendAudit(trx, r.updatedAt, {
        principal: actor.id,
        action,
        model: r.model,
        version: r.candidate,
        after: { rollout: r.id, ...(after as object) },
      });
    });
  }

  async #save(r: Rollout): Promise<void> {
    r.updatedAt = this.deps.clock.now().toISOString();
    await this.deps.db
      .updateTable('rollouts')
      .set({ looks: r.looks, updated_at: r.updatedAt })
      .where('id', '=', r.id)
      .execute();
  }

  async #decide(r: Rollout, verdict: Verdict | 'n/a', action: string, checks: Check[]): Promise<void> {
    this.deps.onDecision?.(r, verdict, action);
    await this.deps.db
      .insertInto('rollout_decisions')
      .values({
        rollout_id: r.id,
        at: this.deps.clock.now().toISOString(),
        step_index: r.stepIndex,
        look: r.looks,
        verdict,
        action,
        checks: JSON.stringify(checks),
      })
      .execute();
  }

  async #change(id: string, fn: (r: Rollout) => Promise<Rollout>): Promise<Rollout> {
    const found = await this.get(id);
    return this.#mutex.run(found.model, async () => {
      const r = this.#active.get(found.model);
      if (!r || r.id !== id)
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} has ended (${found.state})`);
      return fn(r);
    });
  }

  #windowsOf(r: Rollout): Windows {
    const key = windowKey(r);
    let w = this.#windows.get(key);
    if (!w) {
      w = { stable: emptyArm(), candidate: emptyArm() };
      this.#windows.set(key, w);
    }
    return w;
  }

  #windowById(rolloutId: string): Windows | undefined {
    for (const r of this.#active.values()) if (r.id === rolloutId) return this.#windowsOf(r);
    return undefined;
  }

  #event(type: RolloutEvent['type'], rollout: Rollout, detail: string): void {
    try {
      this.deps.notify?.({ type, rollout: { ...rollout }, detail });
    } catch (err) {
      this.deps.logger.warn({ err, rollout: rollout.id }, 'rollout notification failed');
    }
  }
}

/** An arm's counts, without its samples. */
type ArmSummary = Omit<ArmWindow, 'latenciesMs' | 'predictions'>;

const windowKey = (r: Rollout) => `${r.id}#${r.stepIndex}`;

function describe(step: Step): string {
  return step.type === 'canary'
    ? `canary ${step.weight}%`
    : step.type === 'shadow'
      ? `shadow ${step.percent}%`
      : step.type;
}

/** hash(key, rollout id) → [0, 10000); a random bucket when there is no key. */
export function bucket(routingKey: string | undefined, rolloutId: string): number {
  if (routingKey === undefined) return Math.floor(Math.random() * 10_000);
  return createHash('sha256').update(`${rolloutId}\u0000${routingKey}`).digest().readUInt32BE(0) % 10_000;
}

type Row = Database['rollouts'];

function toRow(r: Rollout): Row {
  return {
    id: r.id,
    model_name: r.model,
    candidate: r.candidate,
    baseline: r.baseline,
    strategy: r.strategy,
    plan: JSON.stringify(r.plan),
    state: r.state,
    step_index: r.stepIndex,
    step_started_at: r.stepStartedAt,
    looks: r.looks,
    max_looks: r.maxLooks,
    checkpoint: JSON.stringify(r.checkpoint),
    reason: r.reason,
    created_by: r.createdBy,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    ended_at: r.endedAt,
  };
}

function fromRow(row: Row): Rollout {
  return {
    id: row.id,
    model: row.model_name,
    candidate: row.candidate,
    baseline: row.baseline,
    strategy: row.strategy as Strategy,
    plan: JSON.parse(row.plan) as Plan,
    state: row.state as RolloutState,
    stepIndex: row.step_index,
    stepStartedAt: Number(row.step_started_at),
    looks: row.looks,
    maxLooks: row.max_looks,
    checkpoint: JSON.parse(row.checkpoint) as Aliases,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}
