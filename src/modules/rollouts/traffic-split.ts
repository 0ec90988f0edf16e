import { createHash } from 'node:crypto';
import type { Step } from './plan.js';
import type { Variant } from './types.js';

/** Buckets of the split: a weight of w percent is w × 100 buckets. */
export const BUCKETS = 10_000;

/**
 * hash(routing key, rollout id) → bucket in [0, 10000): the first 4 bytes of
 * SHA-256(`${rolloutId}\0${key}`) mod 10000. The same key lands in the same bucket on every
 * replica and at every step of one rollout; another rollout reshuffles. Without a key, `random`
 * (uniform in [0, 1)) picks the bucket per request.
 * Example: bucket('user-1', 'ro_0123456789abcdef') is the same number in every process.
 */
export function bucket(routingKey: string | undefined, rolloutId: string, random = Math.random): number {
  if (routingKey === undefined) return Math.floor(random() * BUCKETS);
  return createHash('sha256').update(`${rolloutId}\u0000${routingKey}`).digest().readUInt32BE(0) % BUCKETS;
}

export interface Assignment {
  variant: Variant;
  /** mirror to the candidate (shadow steps) */
  shadow: boolean;
}

/**
 * The arm a request goes to at a step: in a canary step the candidate takes the buckets below
 * weight × 100, so raising the weight only moves keys from stable to candidate (monotonic); in a
 * shadow step stable answers and the buckets below percent × 100 are mirrored. Other steps route
 * nothing (undefined). `override` (admin only) pins the answering arm and mirrors nothing.
 */
export function assignVariant(
  step: Step | undefined,
  routingKey: string | undefined,
  rolloutId: string,
  override?: Variant,
  random: () => number = Math.random,
): Assignment | undefined {
  if (!step || (step.type !== 'canary' && step.type !== 'shadow')) return undefined;
  const b = bucket(routingKey, rolloutId, random);
  if (step.type === 'shadow') {
    return { variant: override ?? 'stable', shadow: override === undefined && b < step.percent * 100 };
  }
  return { variant: override ?? (b < step.weight * 100 ? 'candidate' : 'stable'), shadow: false };
}
