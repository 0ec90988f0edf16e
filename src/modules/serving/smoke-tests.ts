import { AppError, pointer, type FieldProblem } from '../../shared/errors.js';
import type { SmokeTest } from '../registry/manifest.js';
import type { LoadedModel } from './loaded-model.js';
import { DEFAULT_SMOKE_TOLERANCE, smokeMismatches } from '../../shared/smoke-expectation.js';

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
    if (!prediction) continue;
    for (const m of smokeMismatches(prediction, test.expected, test.tolerance ?? DEFAULT_SMOKE_TOLERANCE))
      problems.push({ pointer: at('expected', ...m.path), detail: `smoke test ${name}: ${m.detail}` });
  }
  if (problems.length > 0) {
    throw new AppError(
      'SMOKE_TEST_FAILED',
      `${model.key} failed ${problems.length} smoke-test check(s): ${problems[0]!.detail}`,
      { errors: problems },
    );
  }
}
