import type { EndState, Rollout } from './types.js';

/**
 * The state changes of a rollout as values: each returns the next Rollout (the caller writes it
 * with the revision it read). No I/O, so commands and the controller change state alike.
 */

export function advanced(r: Rollout, nowMs: number, previousBaseline?: string): Rollout {
  return {
    ...r,
    stepIndex: r.stepIndex + 1,
    stepStartedAt: nowMs,
    looks: 0,
    state: 'running',
    reason: null,
    updatedAt: new Date(nowMs).toISOString(),
    ...(previousBaseline !== undefined ? { previousBaseline } : {}),
  };
}

export function ended(r: Rollout, state: EndState, reason: string, nowMs: number): Rollout {
  const at = new Date(nowMs).toISOString();
  return { ...r, state, reason, endedAt: at, updatedAt: at };
}

export function paused(r: Rollout, reason: string, nowMs: number): Rollout {
  return { ...r, state: 'paused', reason, updatedAt: new Date(nowMs).toISOString() };
}

/** Resuming restarts the current step: a new window, looks from 0. */
export function resumed(r: Rollout, nowMs: number): Rollout {
  return {
    ...r,
    state: 'running',
    reason: null,
    stepStartedAt: nowMs,
    looks: 0,
    updatedAt: new Date(nowMs).toISOString(),
  };
}

export function looked(r: Rollout, looks: number, nowMs: number): Rollout {
  return { ...r, looks, updatedAt: new Date(nowMs).toISOString() };
}
