import type { Clock } from '../../shared/clock.js';
import type { Fence, Lease, RolloutStore } from './rollout-store.js';

export const ROLLOUT_LEASE = 'rollout-controller';

/**
 * This replica's view of the rollout controller's lease (docs/adr/0013): `claim()` renews it or
 * takes it when free or expired; the holder leads until its expiry. Writes carry `fence()`, so a
 * replica that lost the lease without noticing (paused, partitioned) has its writes refused.
 */
export class LeaderLease {
  #lease: Lease | undefined;

  constructor(
    private readonly store: Pick<RolloutStore, 'claimLease' | 'releaseLease'>,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly name = ROLLOUT_LEASE,
  ) {}

  /** Renews or takes the lease; true when this replica leads afterwards. */
  async claim(): Promise<boolean> {
    this.#lease = await this.store.claimLease(this.name, this.holder, this.clock.nowMs(), this.ttlMs);
    return this.isLeader();
  }

  /** Leads while it holds an unexpired lease (as of its last claim). */
  isLeader(): boolean {
    const l = this.#lease;
    return l !== undefined && l.holder === this.holder && l.expiresAt > this.clock.nowMs();
  }

  /** The fence to write under, while leading. */
  fence(): Fence | undefined {
    return this.isLeader() ? { lease: this.name, holder: this.holder, token: this.#lease!.token } : undefined;
  }

  /** Forget the lease locally (a write was fenced: someone else leads). */
  lost(): void {
    this.#lease = undefined;
  }

  /** On shutdown: lets another replica take over at once instead of after the expiry. */
  async release(): Promise<void> {
    const l = this.#lease;
    this.#lease = undefined;
    if (l && l.holder === this.holder)
      await this.store.releaseLease(this.name, this.holder, l.token, this.clock.nowMs());
  }
}
