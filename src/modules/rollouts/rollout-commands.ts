import { randomUUID } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { AuditAction } from '../audit/audit.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { Actor } from '../registry/types.js';
import { maxLooks, parsePlan, PRESETS } from './plan.js';
import type { Committed } from './rollout-controller.js';
import type { DecisionInput, RolloutStore } from './rollout-store.js';
import { advanced, ended, paused, resumed } from './transitions.js';
import type { Rollout, RolloutEvent, StartInput } from './types.js';

export interface RolloutCommandsDeps {
  store: RolloutStore;
  registry: Pick<RegistryStore, 'getModel' | 'getAliases' | 'getVersion'>;
  clock: Clock;
  replicaId: string;
  /** deployment windows: why a rollout may not start now, or undefined */
  windowProblem?: (nowMs: number) => string | undefined;
  committed: (c: Committed) => void;
}

interface Command {
  next: Rollout;
  action: AuditAction;
  event: RolloutEvent['type'];
  detail: string;
  decision?: Omit<DecisionInput, 'at' | 'writer' | 'stepIndex'>;
}

/** Tries of a command whose rollout changed between its read and its write (the controller wrote). */
const TRIES = 5;

/**
 * What people do to rollouts: start, approve, pause, resume, abort. Any replica runs them: each
 * reads the persisted rollout, checks the command applies to it, and writes the result under the
 * revision it read (retrying when the controller wrote meanwhile), so no replica "owns" a rollout.
 */
export class RolloutCommands {
  constructor(private readonly deps: RolloutCommandsDeps) {}

  async start(input: StartInput): Promise<Rollout> {
    const strategy = input.strategy ?? 'canary';
    const plan = parsePlan(input.plan ?? PRESETS[strategy]);
    const nowMs = this.deps.clock.nowMs();
    const why = this.deps.windowProblem?.(nowMs);
    if (why) throw new AppError('ROLLOUT_NOT_ALLOWED', why);
    const { registry } = this.deps;
    if (!(await registry.getModel(input.model)))
      throw new AppError('MODEL_NOT_FOUND', `model '${input.model}' is not registered`);
    const aliases = await registry.getAliases(input.model);
    if (!aliases.production) {
      throw new AppError(
        'ROLLOUT_CONFLICT',
        `model '${input.model}' has no production version to roll out from; promote one first`,
      );
    }
    if (aliases.production === input.candidate)
      throw new AppError('ROLLOUT_CONFLICT', `${input.candidate} is already the production version`);
    if (!(await registry.getVersion(input.model, input.candidate)))
      throw new AppError('VERSION_NOT_FOUND', `model '${input.model}' has no version '${input.candidate}'`);
    const existing = (await this.deps.store.active()).find((r) => r.model === input.model);
    if (existing) throw this.#busy(existing);
    const at = new Date(nowMs).toISOString();
    const rollout: Rollout = {
      id: `ro_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      model: input.model,
      candidate: input.candidate,
      baseline: aliases.production,
      strategy,
      plan,
      state: 'running',
      stepIndex: 0,
      stepStartedAt: nowMs,
      looks: 0,
      maxLooks: maxLooks(plan),
      checkpoint: aliases,
      reason: null,
      createdBy: input.actor.id,
      createdAt: at,
      updatedAt: at,
      endedAt: null,
      revision: 0,
      previousBaseline: null,
    };
    const inserted = await this.deps.store.insert(rollout, {
      at,
      event: {
        principal: input.actor.id,
        action: 'rollout.started',
        model: rollout.model,
        version: rollout.candidate,
        after: { rollout: rollout.id, strategy, baseline: rollout.baseline, steps: plan.steps.length },
      },
    });
    if (inserted === 'conflict')
      throw new AppError('ROLLOUT_CONFLICT', `another rollout of '${input.model}' started at the same time`);
    this.deps.committed({
      rollout,
      event: {
        type: 'started',
        rollout,
        detail: `${strategy} rollout of ${rollout.candidate} (stable ${rollout.baseline})`,
      },
    });
    return rollout;
  }

  approve(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, actor, (r, now) => {
      if (r.state !== 'paused' || r.plan.steps[r.stepIndex]?.type !== 'pause') {
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `rollout ${id} is not waiting for approval (state ${r.state}, step ${r.stepIndex})`,
        );
      }
      return {
        next: advanced(r, now),
        action: 'rollout.step_advanced',
        event: 'step_advanced',
        detail: 'approved',
        decision: { look: r.looks, verdict: 'n/a', action: 'approved', checks: [] },
      };
    });
  }

  pause(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, actor, (r, now) => {
      if (r.state !== 'running')
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} is ${r.state}, not running`);
      const reason = `paused by ${actor.id}`;
      return { next: paused(r, reason, now), action: 'rollout.paused', event: 'paused', detail: reason };
    });
  }

  resume(id: string, actor: Actor): Promise<Rollout> {
    return this.#change(id, actor, (r, now) => {
      if (r.state !== 'paused')
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} is ${r.state}, not paused`);
      if (r.plan.steps[r.stepIndex]?.type === 'pause')
        throw new AppError(
          'ROLLOUT_CONFLICT',
          `rollout ${id} waits for approval at step ${r.stepIndex}: approve it`,
        );
      return {
        next: resumed(r, now),
        action: 'rollout.resumed',
        event: 'resumed',
        detail: `resumed by ${actor.id}`,
      };
    });
  }

  /** Ends the rollout at once: all traffic back to stable (what `modelgate rollback` also does). */
  abort(id: string, actor: Actor, reason = 'aborted by hand'): Promise<Rollout> {
    return this.#change(id, actor, (r, now) => {
      const why = `${reason} (${actor.id})`;
      return {
        next: ended(r, 'aborted', why, now),
        action: 'rollout.aborted',
        event: 'aborted',
        detail: why,
      };
    });
  }

  async #change(id: string, actor: Actor, decide: (r: Rollout, nowMs: number) => Command): Promise<Rollout> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.deps.store.get(id);
      if (!r) throw new AppError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
      if (r.state !== 'running' && r.state !== 'paused')
        throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} has ended (${r.state})`);
      const c = decide(r, this.deps.clock.nowMs());
      const at = c.next.updatedAt;
      const decision = c.decision && {
        ...c.decision,
        at,
        stepIndex: r.stepIndex,
        writer: this.deps.replicaId,
      };
      const result = await this.deps.store.write({
        rollout: c.next,
        expectedRevision: r.revision,
        ...(decision ? { decision } : {}),
        audit: {
          at,
          event: {
            principal: actor.id,
            action: c.action,
            model: r.model,
            version: r.candidate,
            after: { rollout: r.id, state: c.next.state, step: c.next.stepIndex, reason: c.next.reason },
          },
        },
      });
      if (result === 'ok') {
        const saved = { ...c.next, revision: r.revision + 1 };
        this.deps.committed({
          rollout: saved,
          event: { type: c.event, rollout: saved, detail: c.detail },
          ...(decision ? { decision } : {}),
        });
        return saved;
      }
      if (attempt >= TRIES) throw new AppError('ROLLOUT_CONFLICT', `rollout ${id} kept changing; try again`);
    }
  }

  #busy(existing: Rollout): AppError {
    return new AppError(
      'ROLLOUT_CONFLICT',
      `rollout ${existing.id} of '${existing.model}' is ${existing.state}; abort it or wait for it to end`,
    );
  }
}
