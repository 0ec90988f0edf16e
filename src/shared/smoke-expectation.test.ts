import assert from 'node:assert/strict';
import { it } from 'node:test';
import { smokeMismatches, type SmokeAnswer, type SmokeExpectation } from './smoke-expectation.js';

const cases: Array<[string, SmokeAnswer, SmokeExpectation, number | undefined, string[]]> = [
  [
    'label matches',
    { label: 'benign', probabilities: { benign: 0.9, malignant: 0.1 } },
    { label: 'benign' },
    undefined,
    [],
  ],
  ['numeric label compared as text', { label: '1' }, { label: 1 }, undefined, []],
  [
    'label differs',
    { label: 'benign' },
    { label: 'malignant' },
    undefined,
    ['expected label malignant, got benign'],
  ],
  [
    'probability within tolerance',
    { label: 'a', probabilities: { a: 0.70004 } },
    { probabilities: { a: 0.7 } },
    undefined,
    [],
  ],
  [
    'probability off',
    { label: 'a', probabilities: { a: 0.71 } },
    { probabilities: { a: 0.7 } },
    undefined,
    ['expected P(a) = 0.7 ± 0.0001, got 0.71'],
  ],
  [
    'unknown class',
    { label: 'a', probabilities: { a: 1 } },
    { probabilities: { z: 0 } },
    undefined,
    ['expected P(z) = 0 ± 0.0001, got no such class'],
  ],
  // relative for values: 200 ± 200 × 1e-4
  ['value within relative tolerance', { value: 199.985 }, { value: 200 }, undefined, []],
  ['value off', { value: 199.9 }, { value: 200 }, undefined, ['expected 200, got 199.9']],
  ['small value: absolute tolerance', { value: 0.00005 }, { value: 0 }, undefined, []],
  ['own tolerance', { value: 1.05 }, { value: 1 }, 0.1, []],
  ['no expectation', { value: 3 }, {}, undefined, []],
];

for (const [name, answer, expected, tolerance, details] of cases) {
  it(`smokeMismatches: ${name}`, () => {
    assert.deepEqual(
      smokeMismatches(answer, expected, tolerance).map((m) => m.detail),
      details,
    );
  });
}
