import type { RolloutStore } from './rollout-store.js';
import { assignVariant } from './traffic-split.js';
import { windowKey, type Rollout, type RouteDecision, type Variant } from './types.js';

/**
 * The routing view of one replica: the active rollouts as persisted. Every replica routes by the
 * same rows, so the same routing key goes to the same arm everywhere. `refresh()` reloads them
 * when an active rollout's revision changed (one cheap query when nothing did); it runs at every
 * controller tick and may be called on a change notification.
 */
export class RolloutRouter {
  #byModel = new Map<string, Rollout>();
  #refreshing: Promise<void> | undefined;

  constructor(private readonly store: Pick<RolloutStore, 'active' | 'activeRevisions'>) {}

  /** Reloads the active rollouts if any was started, changed or ended since the last load. */
  refresh(): Promise<void> {
    // one refresh at a time: a notification during a tick's refresh waits for that one
    return (this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined)));
  }

  async #refresh(): Promise<void> {
    const revisions = await this.store.activeRevisions();
    const same =
      revisions.size === this.#byModel.size &&
      [...this.#byModel.values()].every((r) => revisions.get(r.id) === r.revision);
    if (!same) await this.load();
  }

  /** Reads every active rollout. */
  async load(): Promise<void> {
    const active = await this.store.active();
    this.#byModel = new Map(active.map((r) => [r.model, r]));
  }

  /** Takes a rollout this replica just wrote, so its own routing changes at once. */
  apply(r: Rollout): void {
    const current = this.#byModel.get(r.model);
    if (current && current.id === r.id && current.revision > r.revision) return;
    if (r.state === 'running' || r.state === 'paused') this.#byModel.set(r.model, r);
    else if (current?.id === r.id) this.#byModel.delete(r.model);
  }

  active(model: string): Rollout | undefined {
    return this.#byModel.get(model);
  }

  byId(id: string): Rollout | undefined {
    for (const r of this.#byModel.values()) if (r.id === id) return r;
    return undefined;
  }

  all(): Rollout[] {
    return [...this.#byModel.values()];
  }

  /** Which arm answers a request of `model` (assignVariant on the persisted step), if a rollout routes it. */
  route(model: string, routingKey: string | undefined, override?: Variant): RouteDecision | undefined {
    const r = this.#byModel.get(model);
    if (!r || r.state !== 'running') return undefined;
    const a = assignVariant(r.plan.steps[r.stepIndex], routingKey, r.id, override);
    if (!a) return undefined;
    return {
      rolloutId: r.id,
      candidate: r.candidate,
      variant: a.variant,
      shadow: a.shadow,
      predictions: r.plan.maxPredictionPsi !== undefined,
      window: windowKey(r),
    };
  }
}
