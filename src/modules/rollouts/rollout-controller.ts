import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { isAppError } from '../../shared/errors.js';
import type { AuditAction } from '../audit/audit.js';
import type { Actor } from '../registry/types.js';
import { analyseStep } from './analyse-step.js';
import type { JudgeConfig } from './judge.js';
import type { LeaderLease } from './leader-lease.js';
import type { WindowPair } from './local-windows.js';
import type { DecisionInput, RolloutStore } from './rollout-store.js';
import { advanced, ended, looked, paused } from './transitions.js';
import { windowKey, type Rollout, type RolloutEvent } from './types.js';

export interface Committed {
  rollout: Rollout;
  event?: RolloutEvent;
  decision?: DecisionInput;
}

export interface RolloutControllerDeps {
  store: RolloutStore;
  lease: LeaderLease;
  /** every fresh replica's window of a step, merged */
  merged: (windowKey: string) => Promise<WindowPair>;
  /** moves the production alias (idempotent: promoting the production version changes nothing) */
  promote: (model: string, version: string, actor: Actor) => Promise<unknown>;
  /** loads, warms and smoke-tests a version (the smoke step) */
  prepare: (model: string, version: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
  replicaId: string;
  judge?: Partial<Omit<JudgeConfig, 'maxLooks'>>;
  /** after each successful write: routing, notifications, metrics */
  committed: (c: Committed) => void;
}

interface Change {
  next: Rollout;
  action: AuditAction;
  detail: string;
  event?: RolloutEvent['type'];
  decision?: Omit<DecisionInput, 'at' | 'writer' | 'stepIndex'>;
}

/**
 * The rollout controller: only the lease holder runs it. Each tick reads the running rollouts
 * and, per rollout, takes the first step that applies (promote, smoke, pause, a due look) and
 * persists its outcome once: state, decision and audit in one fenced transaction. Every step is
 * idempotent on the persisted state: a look is due only once (looks are persisted), a step
 * advances only from the revision it read. Killed at any line, the next leader resumes from the
 * rows and applies nothing twice.
 */
export class RolloutController {
  constructor(private readonly deps: RolloutControllerDeps) {}

  /** One pass over every running rollout, if this replica leads. */
  async reconcile(): Promise<void> {
    if (!this.deps.lease.isLeader()) return;
    for (const r of await this.deps.store.active()) {
      if (r.state !== 'running') continue;
      if (!this.deps.lease.isLeader()) return; // fenced meanwhile: stop deciding at once
      try {
        await this.#reconcile(r);
      } catch (err) {
        this.deps.logger.error(
          { err, rollout: r.id, model: r.model },
          'rollout reconcile failed; retrying next tick',
        );
      }
    }
  }

  async #reconcile(r: Rollout): Promise<void> {
    const now = this.deps.clock.nowMs();
    const system = { id: `rollout:${r.id}` };
    const step = r.plan.steps[r.stepIndex];
    // past the last step (an approval of a final pause step): only the promotion is left
    if (!step)
      return this.#promote(
        r,
        ended(r, 'promoted', `all ${r.plan.steps.length} steps passed`, now),
        undefined,
      );
    switch (step.type) {
      case 'smoke': {
        try {
          await this.deps.prepare(r.model, r.candidate);
        } catch (err) {
          const detail = isAppError(err) ? `${err.code}: ${err.detail}` : 'the candidate could not be loaded';
          return this.#write(r, system, {
            next: ended(r, 'rolled_back', `smoke step failed: ${detail}`, now),
            action: 'rollout.rolled_back',
            detail: `smoke step failed: ${detail}`,
            event: 'rolled_back',
            decision: { look: r.looks, verdict: 'fail', action: 'rolled_back', checks: [] },
          });
        }
        return this.#advance(r, advanced(r, now), 'smoke tests passed', {
          look: r.looks,
          verdict: 'pass',
          action: 'advanced',
          checks: [],
        });
      }
      case 'pause': {
        const reason = `waiting for approval at step ${r.stepIndex}`;
        return this.#write(r, system, {
          next: paused(r, reason, now),
          action: 'rollout.paused',
          detail: reason,
          event: 'paused',
          decision: { look: r.looks, verdict: 'n/a', action: 'paused', checks: [] },
        });
      }
      default: {
        // looks first check whether one is due, so a tick between looks reads no windows
        if (Math.floor((now - r.stepStartedAt) / (r.plan.intervalS * 1000)) <= r.looks) return;
        const o = analyseStep(r, step, await this.deps.merged(windowKey(r)), now, this.deps.judge);
        if (o.kind === 'not_due') return;
        const decision = { look: o.look, verdict: o.verdict, action: o.action, checks: o.checks };
        switch (o.kind) {
          case 'continue':
          case 'wait':
            return this.#write(
              r,
              system,
              { next: looked(r, o.look, now), action: 'rollout.step_advanced', detail: '', decision },
              false,
            );
          case 'advance':
            return this.#advance(
              looked(r, o.look, now),
              advanced(r, now, o.previousBaseline),
              o.reason,
              decision,
            );
          case 'pause':
            return this.#write(r, system, {
              next: paused(looked(r, o.look, now), o.reason, now),
              action: 'rollout.paused',
              detail: o.reason,
              event: 'paused',
              decision,
            });
          case 'roll_back':
            return this.#write(r, system, {
              next: ended(looked(r, o.look, now), 'rolled_back', o.reason, now),
              action: 'rollout.rolled_back',
              detail: o.reason,
              event: 'rolled_back',
              decision,
            });
        }
      }
    }
  }

  /** The next step, or the promotion when that was the last one (in the same write). */
  async #advance(r: Rollout, next: Rollout, detail: string, decision: Change['decision']): Promise<void> {
    const system = { id: `rollout:${r.id}` };
    if (next.stepIndex < r.plan.steps.length)
      return this.#write(r, system, {
        next,
        action: 'rollout.step_advanced',
        detail,
        event: 'step_advanced',
        decision,
      });
    const reason = `all ${r.plan.steps.length} steps passed`;
    return this.#promote(r, ended(next, 'promoted', reason, next.stepStartedAt), decision);
  }

  async #promote(r: Rollout, next: Rollout, decision: Change['decision']): Promise<void> {
    const actor = { id: `rollout:${r.id}` };
    // the alias first: a crash before the write leaves a running rollout whose candidate already
    // serves production, and the next leader promotes again (a no-op) and writes the end
    if (!this.deps.lease.isLeader()) return;
    await this.deps.promote(r.model, r.candidate, actor);
    return this.#write(r, actor, {
      next,
      action: 'rollout.promoted',
      detail: next.reason!,
      event: 'promoted',
      ...(decision ? { decision } : {}),
    });
  }

  async #write(r: Rollout, actor: Actor, c: Change, audit = true): Promise<void> {
    const fence = this.deps.lease.fence();
    if (!fence) return;
    const at = c.next.updatedAt;
    const decision = c.decision && { ...c.decision, at, stepIndex: r.stepIndex, writer: this.deps.replicaId };
    const result = await this.deps.store.write({
      rollout: c.next,
      expectedRevision: r.revision,
      fence,
      ...(decision ? { decision } : {}),
      ...(audit
        ? {
            audit: {
              at,
              event: {
                principal: actor.id,
                action: c.action,
                model: r.model,
                version: r.candidate,
                after: {
                  rollout: r.id,
                  state: c.next.state,
                  step: c.next.stepIndex,
                  reason: c.next.reason,
                  detail: c.detail,
                },
              },
            },
          }
        : {}),
    });
    if (result === 'fenced') {
      this.deps.lease.lost();
      this.deps.logger.warn(
        { rollout: r.id, replica: this.deps.replicaId },
        'rollout write refused: another replica leads now',
      );
      return;
    }
    if (result === 'conflict') {
      this.deps.logger.info(
        { rollout: r.id },
        'rollout changed meanwhile (a command); looking again next tick',
      );
      return;
    }
    const saved = { ...c.next, revision: r.revision + 1 };
    this.deps.committed({
      rollout: saved,
      ...(c.event ? { event: { type: c.event, rollout: saved, detail: c.detail } } : {}),
      ...(decision ? { decision } : {}),
    });
  }
}
