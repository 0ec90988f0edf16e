import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchLabels } from './match-labels.js';

const rows = (pairs: Array<[string, string, number]>) => {
  const predicted: string[] = [];
  const actual: string[] = [];
  for (const [p, a, n] of pairs)
    for (let i = 0; i < n; i++) {
      predicted.push(p);
      actual.push(a);
    }
  return { predicted, actual };
};

describe('matchLabels', () => {
  const ok: Array<{
    name: string;
    classes: string[];
    named: boolean;
    pairs: Array<[string, string, number]>;
    labels: unknown;
    agreement: number;
  }> = [
    {
      name: 'ids named by the CSV (the worked example)',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', 'malignant', 52],
        ['0', 'benign', 2],
        ['1', 'benign', 86],
        ['1', 'malignant', 3],
      ],
      labels: { '0': 'malignant', '1': 'benign' },
      agreement: 138 / 143,
    },
    {
      name: 'the graph names its classes, the CSV agrees',
      classes: ['a', 'b', 'c'],
      named: true,
      pairs: [
        ['a', 'a', 3],
        ['b', 'b', 2],
        ['b', 'c', 1],
        ['c', 'c', 2],
      ],
      labels: ['a', 'b', 'c'],
      agreement: 7 / 8,
    },
    {
      name: 'ids, and the CSV holds the same ids: nothing to write',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', '0', 4],
        ['1', '1', 4],
      ],
      labels: undefined,
      agreement: 1,
    },
  ];
  for (const c of ok)
    it(c.name, () => {
      const { predicted, actual } = rows(c.pairs);
      const r = matchLabels(c.classes, c.named, predicted, actual, 'f.csv:y');
      assert.deepEqual(r, {
        ...(c.labels ? { labels: c.labels } : {}),
        agreement: c.agreement,
        rows: predicted.length,
      });
    });

  const bad: Array<{
    name: string;
    classes: string[];
    named: boolean;
    pairs: Array<[string, string, number]>;
    error: RegExp;
  }> = [
    {
      name: 'two classes swapped',
      classes: ['a', 'b'],
      named: true,
      pairs: [
        ['a', 'b', 5],
        ['b', 'a', 5],
      ],
      error:
        /INPUT_INVALID: f\.csv:y: label order mismatch: of the 5 rows the model predicts as 'a', 5 are labelled 'b' and 0 'a'/,
    },
    {
      name: 'ids in another order',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', '1', 5],
        ['1', '0', 5],
      ],
      error: /label order mismatch/,
    },
    {
      name: 'a name the model does not know',
      classes: ['a', 'b'],
      named: true,
      pairs: [
        ['a', 'a', 1],
        ['b', 'z', 1],
      ],
      error: /'z' is not among the model's classes \('a', 'b'\)/,
    },
    {
      name: 'two ids matching one name',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', 'x', 3],
        ['1', 'x', 3],
        ['1', 'y', 1],
      ],
      error: /classes 0 and 1 both match 'x' best/,
    },
    {
      name: 'a class never predicted',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', 'x', 3],
        ['0', 'y', 1],
      ],
      error: /no row is predicted as class 1/,
    },
    {
      name: 'more names than classes',
      classes: ['0', '1'],
      named: false,
      pairs: [
        ['0', 'x', 1],
        ['1', 'y', 1],
        ['1', 'z', 1],
      ],
      error: /3 distinct labels .* but the model has 2 classes/,
    },
  ];
  for (const c of bad)
    it(`refuses: ${c.name}`, () => {
      const { predicted, actual } = rows(c.pairs);
      assert.throws(() => matchLabels(c.classes, c.named, predicted, actual, 'f.csv:y'), c.error);
    });
});
