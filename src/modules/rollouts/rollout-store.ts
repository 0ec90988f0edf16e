import type { AuditInput } from '../audit/audit.js';
import type { Decision, Rollout } from './types.js';

/** A leader's right to write: the lease it holds and the fencing token it got with it. */
export interface Fence {
  lease: string;
  holder: string;
  token: number;
}

export interface Lease {
  name: string;
  holder: string;
  /** grows at every change of holder: a write carrying an older token is refused */
  token: number;
  expiresAt: number;
}

export type DecisionInput = Omit<Decision, 'id'>;

/** One write of a rollout: its new state, and the decision and audit event that go with it. */
export interface RolloutWrite {
  /** the new state; its revision is `expectedRevision + 1` */
  rollout: Rollout;
  /** the revision the writer read: a rollout changed since (a command, another leader) is not overwritten */
  expectedRevision: number;
  decision?: DecisionInput;
  audit?: { at: string; event: AuditInput };
  /** controller writes carry the leader's fence; commands, which any replica may run, do not */
  fence?: Fence;
}

/** ok; conflict: the revision moved on; fenced: the fence's token is no longer the lease's. */
export type WriteResult = 'ok' | 'conflict' | 'fenced';

/** What one replica published for a step's window: both arms, serialised ArmTally values. */
export interface PublishedWindow {
  windowKey: string;
  rolloutId: string;
  stable: string;
  candidate: string;
}

/**
 * Where rollouts live: their state, decisions and audit (written together), the leader lease,
 * and the windows every replica publishes. Implemented by SqlRolloutStore (SQLite and
 * PostgreSQL) and FakeRolloutStore; rollout-store.contract.ts holds both to the same behaviour.
 */
export interface RolloutStore {
  /** A new rollout with its audit event; 'conflict' when the model already has an active one. */
  insert(rollout: Rollout, audit: { at: string; event: AuditInput }): Promise<'ok' | 'conflict'>;
  get(id: string): Promise<Rollout | undefined>;
  /** A model's rollouts, newest first. */
  list(model: string, limit: number): Promise<Rollout[]>;
  /** Running and paused rollouts. */
  active(): Promise<Rollout[]>;
  /** id → revision of the active rollouts: one cheap query to see whether routing must reload. */
  activeRevisions(): Promise<Map<string, number>>;
  /** Newest first. */
  decisions(rolloutId: string, limit: number): Promise<Decision[]>;
  /** State, decision and audit in one transaction, refused as a whole on a conflict or a stale fence. */
  write(w: RolloutWrite): Promise<WriteResult>;

  /**
   * Renews the lease when `holder` has it, takes it over (token + 1) when it is free or expired,
   * and returns the lease as it is afterwards (someone else's while theirs is valid).
   */
  claimLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<Lease>;
  /** Lets the lease expire now, if `holder` still has it with `token` (a clean shutdown). */
  releaseLease(name: string, holder: string, token: number, nowMs: number): Promise<void>;

  /** A replica's windows (upserted) and heartbeat; its rows of other windows are deleted. */
  publish(replica: string, nowMs: number, windows: PublishedWindow[]): Promise<void>;
  /** Every replica's tallies of a window, from replicas seen at or after `seenSinceMs`. */
  windows(windowKey: string, seenSinceMs: number): Promise<Array<PublishedWindow & { replica: string }>>;
  /** Forgets replicas not seen since `beforeMs`, with their windows. */
  pruneReplicas(beforeMs: number): Promise<number>;
}
