import { AppError, pointer, type FieldProblem } from '../../shared/errors.js';
import type { SmokeTest } from '../registry/manifest.js';
import type { LoadedModel } from './loaded-model.js';

const DEFAULT_TOLERANCE = 1e-4;

/**
 * Runs the manifest's smoke tests against a loaded version; a version whose answers differ from
 * the expected ones (beyond the tolerance) never takes traffic. Throws SMOKE_TEST_FAILED naming
 * every mismatch.
 */
export async function runSmokeTests(model: LoadedModel, tests: SmokeTest[]): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const [i, test] of tests.entries()) {
    const at = (...rest: Array<string | number>) => pointer('smoke_tests', i, ...rest);
    const name = test.name ?? `#${i}`;
    const inputProblems = model.validate([test.input], at('input'));
    if (inputProblems.length > 0) {
      for (const p of inputProblems)
        problems.push({
          pointer: p.pointer.replace(/\/0(?=\/|$)/, ''),
          detail: `smoke test ${name}: ${p.detail}`,
        });
      continue;
    }
    const [prediction] = (await model.predict([test.input])).predictions;
    const tol = test.tolerance ?? DEFAULT_TOLERANCE;
    const e = test.expected;
    if (!prediction) continue;
    if ('value' in prediction) {
      if (
        e.value !== undefined &&
        Math.abs(prediction.value - e.value) > tol * Math.max(1, Math.abs(e.value))
      ) {
        problems.push({
          pointer: at('expected', 'value'),
          detail: `smoke test ${name}: expected ${e.value}, got ${prediction.value}`,
        });
      }
      continue;
    }
    if (e.label !== undefined && String(e.label) !== prediction.label) {
      problems.push({
        pointer: at('expected', 'label'),
        detail: `smoke test ${name}: expected label ${String(e.label)}, got ${prediction.label}`,
      });
    }
    for (const [label, p] of Object.entries(e.probabilities ?? {})) {
      const got = prediction.probabilities?.[label];
      if (got === undefined || Math.abs(got - p) > tol) {
        problems.push({
          pointer: at('expected', 'probabilities', label),
          detail: `smoke test ${name}: expected P(${label}) = ${p} ± ${tol}, got ${got ?? 'no such class'}`,
        });
      }
    }
  }
  if (problems.length > 0) {
    throw new AppError(
      'SMOKE_TEST_FAILED',
      `${model.key} failed ${problems.length} smoke-test check(s): ${problems[0]!.detail}`,
      { errors: problems },
    );
  }
}
