import { pointer } from '../shared/errors.js';

/** A key the JSON parser refuses, and where it sits in the body. */
export interface ForbiddenKey {
  key: '__proto__' | 'constructor';
  pointer: string;
}

/**
 * The first key, in document order, that Fastify's JSON parser (secure-json-parse) refuses as
 * prototype poisoning: any `__proto__` (however its name is escaped), or a `constructor` whose
 * value is an object with a `prototype` key. Undefined when the text is not valid JSON or holds
 * none. Run only after the parser refused a body, to say what it refused and where; the body's
 * depth is already bounded by the JSON limits, so the recursion is too.
 *
 * Example: `{"instances":[{"__proto__":{}}]}` → `{ key: '__proto__', pointer: '/instances/0/__proto__' }`.
 */
export function findForbiddenKey(text: string): ForbiddenKey | undefined {
  let value: unknown;
  try {
    // JSON.parse defines "__proto__" as an own property: reading it here changes no prototype
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return find(value, '');
}

function find(value: unknown, at: string): ForbiddenKey | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = find(value[i], at + pointer(i));
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const here = at + pointer(key);
    if (key === '__proto__') return { key, pointer: here };
    if (
      key === 'constructor' &&
      child !== null &&
      typeof child === 'object' &&
      Object.hasOwn(child, 'prototype')
    ) {
      return { key, pointer: here };
    }
    const found = find(child, here);
    if (found) return found;
  }
  return undefined;
}
