import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `mg_<id>_<secret>`: the id (12 base62 characters) finds the stored record
 * and is safe to log; the secret (32 random bytes, base64url) is never stored, only the SHA-256
 * of the whole key. A fast hash is right here: the key is 256 bits of randomness, not a password.
 */
export const API_KEY_PATTERN = /^mg_([A-Za-z0-9]{8,32})_([A-Za-z0-9_-]{20,})$/;

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface GeneratedKey {
  id: string;
  key: string;
  hash: string;
}

export function generateApiKey(): GeneratedKey {
  const id = [...randomBytes(12)].map((b) => BASE62[b % 62]).join('');
  const key = `mg_${id}_${randomBytes(32).toString('base64url')}`;
  return { id, key, hash: hashApiKey(key) };
}

export function parseApiKey(key: string): { id: string } | undefined {
  const m = API_KEY_PATTERN.exec(key);
  return m ? { id: m[1]! } : undefined;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of a presented key with a stored hash. */
export function keyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
