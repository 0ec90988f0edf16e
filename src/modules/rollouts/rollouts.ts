import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { Answer, AnswerObserver } from '../serving/answer.js';
import type { Actor } from '../registry/types.js';
import {
  emptyTally,
  mergeTallies,
  parseTally,
  toArmWindow,
  type ArmTally,
  type Outcome,
} from './arm-tally.js';
import { DEFAULT_JUDGE, type ArmWindow, type JudgeConfig } from './judge.js';
import { LeaderLease } from './leader-lease.js';
import { LocalWindows, type WindowPair } from './local-windows.js';
import { RolloutCommands } from './rollout-commands.js';
import { RolloutController, type Committed } from './rollout-controller.js';
import { RolloutRouter } from './rollout-router.js';
import type { RolloutStore } from './rollout-store.js';
import {
  windowKey,
  type Decision,
  type Rollout,
  type RolloutEvent,
  type RouteDecision,
  type StartInput,
  type Variant,
} from './types.js';

export interface RolloutsDeps {
  store: RolloutStore;
  registry: Pick<RegistryStore, 'getModel' | 'getAliases' | 'getVersion'>;
  /** moves the production alias (RegistryService.promote) */
  promote: (model: string, version: string, actor: Actor) => Promise<unknown>;
  /** loads, warms and smoke-tests a version (the smoke step) */
  prepare: (model: string, version: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** this replica's name in leases, windows and decisions */
  replicaId: string;
  leaderLeaseMs: number;
  /** windows of replicas not seen for this long are left out of the merge */
  replicaStaleMs: number;
  judge?: Partial<Omit<JudgeConfig, 'maxLooks'>>;
  windowProblem?: (nowMs: number) => string | undefined;
  notify?: (e: RolloutEvent) => void;
  onDecision?: (r: Rollout, verdict: string, action: string) => void;
  random?: () => number;
}

/** An arm's counts, without its samples. */
export type ArmSummary = Omit<ArmWindow, 'latenciesMs' | 'predictions'>;

/**
 * The rollouts module as the rest of modelgate sees it: routing and windows on the request path,
 * commands and queries for the API, and `tick()` for the loop (publish this replica's windows,
 * reload routing if a rollout changed, renew the lease, and reconcile when leading). Wiring only:
 * each part lives in its own file.
 */
export class Rollouts {
  readonly router: RolloutRouter;
  readonly windows: LocalWindows;
  readonly lease: LeaderLease;
  readonly commands: RolloutCommands;
  readonly controller: RolloutController;
  #ticking: Promise<void> | undefined;
  /** rollouts whose candidate this replica has loaded (or is loading) */
  readonly #warmed = new Set<string>();

  constructor(private readonly deps: RolloutsDeps) {
    const committed = (c: Committed) => this.#committed(c);
    this.router = new RolloutRouter(deps.store);
    this.windows = new LocalWindows(deps.random);
    this.lease = new LeaderLease(deps.store, deps.replicaId, deps.leaderLeaseMs, deps.clock);
    this.commands = new RolloutCommands({ ...deps, committed });
    this.controller = new RolloutController({
      ...deps,
      lease: this.lease,
      merged: (k) => this.merged(k),
      committed,
    });
  }

  // --- the request path (PredictService's RolloutRouter port) ---

  route(model: string, routingKey: string | undefined, override?: Variant): RouteDecision | undefined {
    return this.router.route(model, routingKey, override);
  }

  record(d: Pick<RouteDecision, 'rolloutId' | 'window'>, variant: Variant, outcome: Outcome): void {
    this.windows.record(d, variant, outcome);
  }

  /** Data-plane observer: each arm's outcome counts in its rollout's analysis window. */
  readonly armWindows: AnswerObserver = {
    name: 'rollout windows',
    observe: (a: Answer): void => {
      for (const arm of a.arms) {
        const outcome: Outcome = { serverError: arm.serverError, latencyMs: arm.latencyMs };
        if (arm.prediction !== undefined) outcome.prediction = arm.prediction;
        this.record(arm.decision, arm.variant, outcome);
      }
    },
  };

  recordShadow(d: RouteDecision, outcome: Outcome & { agreed: number; compared: number }): void {
    this.windows.recordShadow(d, outcome);
  }

  /** Feedback on a prediction a variant answered: counts in the rollout's current window. */
  recordFeedback(rolloutId: string, variant: Variant, correct: boolean): void {
    const r = this.router.byId(rolloutId);
    if (r) this.windows.recordFeedback(windowKey(r), rolloutId, variant, correct);
  }

  // --- commands and queries (any replica) ---

  start(input: StartInput): Promise<Rollout> {
    return this.commands.start(input);
  }
  approve(id: string, actor: Actor): Promise<Rollout> {
    return this.commands.approve(id, actor);
  }
  pause(id: string, actor: Actor): Promise<Rollout> {
    return this.commands.pause(id, actor);
  }
  resume(id: string, actor: Actor): Promise<Rollout> {
    return this.commands.resume(id, actor);
  }
  abort(id: string, actor: Actor, reason?: string): Promise<Rollout> {
    return this.commands.abort(id, actor, reason);
  }

  async get(id: string): Promise<Rollout> {
    const r = await this.deps.store.get(id);
    if (!r) throw new AppError('ROLLOUT_NOT_FOUND', `no rollout '${id}'`);
    return r;
  }

  list(model: string): Promise<Rollout[]> {
    return this.deps.store.list(model, 50);
  }

  decisions(id: string, limit = 200): Promise<Decision[]> {
    return this.deps.store.decisions(id, limit);
  }

  /** The active rollout of a model as this replica routes it. */
  active(model: string): Rollout | undefined {
    return this.router.active(model);
  }

  /** The active rollout of a model as persisted (commands use this, not the routing view). */
  async findActive(model: string): Promise<Rollout | undefined> {
    return (await this.deps.store.active()).find((r) => r.model === model);
  }

  allActive(): Rollout[] {
    return this.router.all();
  }

  /** Requests each judged arm needs in a step's window before the analysis judges it. */
  get minRequests(): number {
    return this.deps.judge?.minRequests ?? DEFAULT_JUDGE.minRequests;
  }

  /** Live numbers of a rollout's current step over the cluster: the others' last publish and this replica now. */
  async window(r: Rollout): Promise<{ stable: ArmSummary; candidate: ArmSummary }> {
    const key = windowKey(r);
    const others = (await this.#published(key)).filter((w) => w.replica !== this.deps.replicaId);
    const merged = [...others, this.#local(key)].reduce<WindowPair>(sum, empty());
    const strip = (t: ArmTally): ArmSummary => {
      const { latenciesMs: _l, predictions: _p, ...rest } = toArmWindow(t);
      return rest;
    };
    return { stable: strip(merged.stable), candidate: strip(merged.candidate) };
  }

  /** Every fresh replica's published window (this one's included once it has published). */
  async merged(key: string): Promise<WindowPair> {
    return (await this.#published(key)).reduce<WindowPair>(sum, empty());
  }

  // --- the loop ---

  /** Reads the active rollouts (at start). */
  load(): Promise<void> {
    return this.router.load();
  }

  /** Reloads routing if an active rollout changed; the lead may call it on a change notification. */
  async refresh(): Promise<void> {
    await this.router.refresh();
    this.windows.retain(new Set(this.router.all().map(windowKey)));
    for (const r of this.router.all()) this.#warm(r);
  }

  /**
   * Loads and warms a running rollout's candidate on this replica in the background, so that its
   * first canary requests here do not wait for the load (the smoke step warms it only on the
   * leader). A failure is logged and tried again at the next refresh.
   */
  #warm(r: Rollout): void {
    if (r.state !== 'running' || this.#warmed.has(r.id)) return;
    this.#warmed.add(r.id);
    this.deps.prepare(r.model, r.candidate).catch((err: unknown) => {
      this.#warmed.delete(r.id);
      this.deps.logger.warn({ err, rollout: r.id, candidate: r.candidate }, 'warming the candidate failed');
    });
  }

  /** Publishes this replica's windows (and its heartbeat). */
  publish(): Promise<void> {
    return this.deps.store.publish(this.deps.replicaId, this.deps.clock.nowMs(), this.windows.published());
  }

  /** Publish, refresh, renew the lease, and reconcile when leading. One tick at a time. */
  tick(): Promise<void> {
    return (this.#ticking ??= this.#tick().finally(() => (this.#ticking = undefined)));
  }

  async #tick(): Promise<void> {
    // publishing first: the leader judges its own traffic up to this instant
    await this.publish();
    await this.refresh();
    if (await this.lease.claim()) {
      await this.controller.reconcile();
      await this.deps.store.pruneReplicas(this.deps.clock.nowMs() - 10 * this.deps.replicaStaleMs);
    }
  }

  /** Lets another replica lead at once (clean shutdown). */
  close(): Promise<void> {
    return this.lease.release();
  }

  #local(key: string): WindowPair {
    return this.windows.get(key) ?? empty();
  }

  async #published(key: string): Promise<Array<WindowPair & { replica: string }>> {
    const since = this.deps.clock.nowMs() - this.deps.replicaStaleMs;
    return (await this.deps.store.windows(key, since)).map((w) => ({
      replica: w.replica,
      stable: parseTally(w.stable),
      candidate: parseTally(w.candidate),
    }));
  }

  #committed(c: Committed): void {
    this.router.apply(c.rollout);
    this.#warm(c.rollout); // the replica that started it warms at once

    if (c.decision) this.deps.onDecision?.(c.rollout, c.decision.verdict, c.decision.action);
    const e = c.event;
    if (!e) return;
    if (e.type === 'promoted' || e.type === 'rolled_back' || e.type === 'aborted') {
      this.deps.logger[e.type === 'promoted' ? 'info' : 'warn'](
        {
          rollout: e.rollout.id,
          model: e.rollout.model,
          candidate: e.rollout.candidate,
          reason: e.rollout.reason,
        },
        `rollout ${e.type}`,
      );
    }
    try {
      this.deps.notify?.({ ...e, rollout: { ...e.rollout } });
    } catch (err) {
      this.deps.logger.warn({ err, rollout: e.rollout.id }, 'rollout notification failed');
    }
  }
}

const sum = (a: WindowPair, b: WindowPair): WindowPair => ({
  stable: mergeTallies(a.stable, b.stable),
  candidate: mergeTallies(a.candidate, b.candidate),
});

const empty = (): WindowPair => ({ stable: emptyTally(), candidate: emptyTally() });
