/** What a smoke test expects (the manifest's `smoke_tests[].expected`). */
export interface SmokeExpectation {
  label?: string | number;
  probabilities?: Record<string, number>;
  value?: number;
}

/** One prediction as the API answers it. */
export interface SmokeAnswer {
  label?: string;
  probabilities?: Record<string, number>;
  value?: number;
}

export const DEFAULT_SMOKE_TOLERANCE = 1e-4;

/**
 * How a prediction differs from a smoke test's expectation: the server runs it before a version
 * takes traffic, `modelgate smoke` against a deployed endpoint. A regression value may differ by
 * `tolerance` relative to its size (at least absolute 1 × tolerance); a probability by `tolerance`
 * absolute. Example: expected value 200, tolerance 1e-4 → 199.985 passes, 199.9 does not.
 * Each mismatch is `{ path, detail }`, path below `expected`.
 */
export function smokeMismatches(
  answer: SmokeAnswer,
  expected: SmokeExpectation,
  tolerance = DEFAULT_SMOKE_TOLERANCE,
): Array<{ path: string[]; detail: string }> {
  const out: Array<{ path: string[]; detail: string }> = [];
  if (answer.value !== undefined) {
    const e = expected.value;
    if (e !== undefined && Math.abs(answer.value - e) > tolerance * Math.max(1, Math.abs(e)))
      out.push({ path: ['value'], detail: `expected ${e}, got ${answer.value}` });
    return out;
  }
  if (expected.label !== undefined && String(expected.label) !== answer.label)
    out.push({
      path: ['label'],
      detail: `expected label ${String(expected.label)}, got ${answer.label ?? 'no label'}`,
    });
  for (const [label, p] of Object.entries(expected.probabilities ?? {})) {
    const got = answer.probabilities?.[label];
    if (got === undefined || Math.abs(got - p) > tolerance)
      out.push({
        path: ['probabilities', label],
        detail: `expected P(${label}) = ${p} ± ${tolerance}, got ${got ?? 'no such class'}`,
      });
  }
  return out;
}
