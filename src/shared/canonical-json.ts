/**
 * JSON with object keys sorted at every depth, so equal values always give equal text (and equal
 * hashes). Example: canonicalJson({b: 1, a: [2, {d: 3, c: 4}]}) === '{"a":[2,{"c":4,"d":3}],"b":1}'.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
