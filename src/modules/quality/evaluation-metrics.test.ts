import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classificationMetrics,
  regressionMetrics,
  type ClassificationMetrics,
} from './evaluation-metrics.js';

// Expected values come from scikit-learn 1.2.1 (Debian's /usr/bin/python3), computed once with the
// snippet above each table and written in, so the tests never run Python. Snippets assume
// `from sklearn.metrics import *`.

const close = (actual: number | null, expected: number | null, what: string) => {
  if (expected === null || actual === null) return assert.equal(actual, expected, what);
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} vs ${expected}`);
};

const binary = (pYes: number[]) => pYes.map((p) => [1 - p, p]);

interface ClassCase {
  name: string;
  labels: string[];
  positiveLabel?: string;
  truth: string[];
  predicted: string[];
  probabilities: number[][];
  expected: ClassificationMetrics;
}

// y=['no','no','yes','yes','no','yes','no','yes']; s=[0.1,0.4,0.35,0.8,0.5,0.5,0.2,0.9]
// pred=['yes' if x>=0.5 else 'no' for x in s]; P=[[1-x,x] for x in s]
// roc_auc_score([t=='yes' for t in y], s), accuracy_score(y, pred), f1_score(y, pred, pos_label='yes'),
// log_loss(y, P, labels=['no','yes'])                          -> 0.84375 0.75 0.75 0.4504937804160789
// y=['stay','churn','churn','stay','stay','churn']; c=[0.2,0.7,0.4,0.6,0.1,0.9] (P(churn))
// roc_auc_score([t=='churn' for t in y], c), f1_score(y, pred, pos_label='churn'),
// log_loss(y, [[x,1-x] for x in c], labels=['churn','stay'])  -> 0.888888888888889 0.666… 0.4371868317194842
// (sklearn takes columns in sorted label order; both label orders below give the same numbers)
// y=['no','yes','yes','no']; P=[[1,0],[0,1],[0,1],[1,0]]: log_loss -> 2.2204460492503136e-16
// P=[[1,0],[0,1],[1,0],[1,0]]: roc_auc 0.75, f1 0.666…, log_loss -> 9.010913347279288 (= -ln(eps)/4)
// y=['no','yes','no','yes','no']; P=[[0.6,0.4]]*5; pred=['no']*5: roc_auc 0.5, accuracy 0.6,
// f1_score(..., zero_division=0) 0.0, log_loss -> 0.6730116670092563
// y=['yes']*3; P=[[0.2,0.8],[0.6,0.4],[0.1,0.9]]: roc_auc_score raises "Only one class present";
// accuracy 0.666…, f1 0.8, log_loss(y, P, labels=['no','yes']) -> 0.41493159961539705
const binaryCases: ClassCase[] = [
  {
    name: 'binary with tied scores, default positive = second label',
    labels: ['no', 'yes'],
    truth: ['no', 'no', 'yes', 'yes', 'no', 'yes', 'no', 'yes'],
    predicted: ['no', 'no', 'no', 'yes', 'yes', 'yes', 'no', 'yes'],
    probabilities: binary([0.1, 0.4, 0.35, 0.8, 0.5, 0.5, 0.2, 0.9]),
    expected: { roc_auc: 0.84375, accuracy: 0.75, f1: 0.75, log_loss: 0.4504937804160789, rows: 8 },
  },
  {
    name: 'binary with the manifest positive label listed first',
    labels: ['churn', 'stay'],
    positiveLabel: 'churn',
    truth: ['stay', 'churn', 'churn', 'stay', 'stay', 'churn'],
    predicted: ['stay', 'churn', 'stay', 'churn', 'stay', 'churn'],
    probabilities: [0.2, 0.7, 0.4, 0.6, 0.1, 0.9].map((c) => [c, 1 - c]),
    expected: {
      roc_auc: 0.888888888888889,
      accuracy: 2 / 3,
      f1: 2 / 3,
      log_loss: 0.4371868317194842,
      rows: 6,
    },
  },
  {
    name: 'binary in model order [stay, churn]: the default positive is churn',
    labels: ['stay', 'churn'],
    truth: ['stay', 'churn', 'churn', 'stay', 'stay', 'churn'],
    predicted: ['stay', 'churn', 'stay', 'churn', 'stay', 'churn'],
    probabilities: binary([0.2, 0.7, 0.4, 0.6, 0.1, 0.9]),
    expected: {
      roc_auc: 0.888888888888889,
      accuracy: 2 / 3,
      f1: 2 / 3,
      log_loss: 0.4371868317194842,
      rows: 6,
    },
  },
  {
    name: 'perfect 0/1 probabilities are clipped to [eps, 1 - eps]',
    labels: ['no', 'yes'],
    truth: ['no', 'yes', 'yes', 'no'],
    predicted: ['no', 'yes', 'yes', 'no'],
    probabilities: binary([0, 1, 1, 0]),
    expected: { roc_auc: 1, accuracy: 1, f1: 1, log_loss: 2.2204460492503136e-16, rows: 4 },
  },
  {
    name: 'a confidently wrong 0/1 row costs -ln(eps), not infinity',
    labels: ['no', 'yes'],
    truth: ['no', 'yes', 'yes', 'no'],
    predicted: ['no', 'yes', 'no', 'no'],
    probabilities: binary([0, 1, 0, 0]),
    expected: { roc_auc: 0.75, accuracy: 0.75, f1: 2 / 3, log_loss: 9.010913347279288, rows: 4 },
  },
  {
    name: 'constant prediction: positive class never predicted, all scores tied',
    labels: ['no', 'yes'],
    truth: ['no', 'yes', 'no', 'yes', 'no'],
    predicted: ['no', 'no', 'no', 'no', 'no'],
    probabilities: binary([0.4, 0.4, 0.4, 0.4, 0.4]),
    expected: { roc_auc: 0.5, accuracy: 0.6, f1: 0, log_loss: 0.6730116670092563, rows: 5 },
  },
  {
    name: 'one class in truth: ROC-AUC undefined (null), the rest defined',
    labels: ['no', 'yes'],
    truth: ['yes', 'yes', 'yes'],
    predicted: ['yes', 'no', 'yes'],
    probabilities: binary([0.8, 0.4, 0.9]),
    expected: { roc_auc: null, accuracy: 2 / 3, f1: 0.8, log_loss: 0.41493159961539705, rows: 3 },
  },
];

// y=['a','b','c','a','b','c','a','b']
// P=[[.7,.2,.1],[.3,.4,.3],[.4,.3,.3],[.5,.3,.2],[.2,.5,.3],[.3,.4,.3],[.2,.5,.3],[.6,.2,.2]]
// pred=['a','b','a','a','b','b','b','a']  ('c' never predicted)
// roc_auc_score(y, P, multi_class='ovr', average='macro') -> 0.65; accuracy_score -> 0.5
// f1_score(y, pred, average='macro', zero_division=0) -> 0.380952380952381 (per class .571, .571, 0)
// log_loss(y, P, labels=['a','b','c']) -> 1.0357601838066064
// log_loss(['a','b'], [[.5,.5],[.2,.6]], labels=['a','b']) -> 0.4904146265058632 (rows renormalised)
const multiclassCases: ClassCase[] = [
  {
    name: 'three classes with ties, one class never predicted',
    labels: ['a', 'b', 'c'],
    truth: ['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b'],
    predicted: ['a', 'b', 'a', 'a', 'b', 'b', 'b', 'a'],
    probabilities: [
      [0.7, 0.2, 0.1],
      [0.3, 0.4, 0.3],
      [0.4, 0.3, 0.3],
      [0.5, 0.3, 0.2],
      [0.2, 0.5, 0.3],
      [0.3, 0.4, 0.3],
      [0.2, 0.5, 0.3],
      [0.6, 0.2, 0.2],
    ],
    expected: { roc_auc: 0.65, accuracy: 0.5, f1: 0.380952380952381, log_loss: 1.0357601838066064, rows: 8 },
  },
];

describe('classificationMetrics', () => {
  for (const c of [...binaryCases, ...multiclassCases]) {
    it(c.name, () => {
      const { expected, name: _name, ...input } = c;
      const got = classificationMetrics(input);
      for (const key of ['roc_auc', 'accuracy', 'f1', 'log_loss'] as const)
        close(got[key], expected[key], key);
      assert.equal(got.rows, expected.rows);
    });
  }

  it('renormalises rows that do not sum to 1, as sklearn does', () => {
    const got = classificationMetrics({
      labels: ['a', 'b'],
      truth: ['a', 'b'],
      predicted: ['a', 'b'],
      probabilities: [
        [0.5, 0.5],
        [0.2, 0.6],
      ],
    });
    close(got.log_loss, 0.4904146265058632, 'log_loss');
  });

  it('multiclass ROC-AUC is null when a class never occurs in truth (sklearn raises)', () => {
    const got = classificationMetrics({
      labels: ['a', 'b', 'c'],
      truth: ['a', 'b', 'a'],
      predicted: ['a', 'b', 'a'],
      probabilities: [
        [0.5, 0.3, 0.2],
        [0.2, 0.6, 0.2],
        [0.4, 0.4, 0.2],
      ],
    });
    assert.equal(got.roc_auc, null);
    assert.equal(got.accuracy, 1);
  });

  const base = {
    labels: ['no', 'yes'],
    truth: ['no', 'yes'],
    predicted: ['no', 'yes'],
    probabilities: binary([0.1, 0.9]),
  };
  const invalid: Array<{ name: string; input: typeof base & { positiveLabel?: string }; message: RegExp }> = [
    { name: 'no rows', input: { ...base, truth: [], predicted: [], probabilities: [] }, message: /no rows/ },
    {
      name: 'unknown truth',
      input: { ...base, truth: ['no', 'maybe'] },
      message: /truth 'maybe' in row 2 \(1-based\) is not one of the labels no, yes/,
    },
    {
      name: 'unknown prediction',
      input: { ...base, predicted: ['x', 'yes'] },
      message: /predicted 'x' in row 1 /,
    },
    {
      name: 'lengths differ',
      input: { ...base, predicted: ['no'] },
      message: /2 truth values, 1 predictions/,
    },
    {
      name: 'row width',
      input: { ...base, probabilities: [[1], [0, 1]] },
      message: /row 0 has 1 probabilities for 2 labels/,
    },
    {
      name: 'NaN probability',
      input: {
        ...base,
        probabilities: [
          [Number.NaN, 1],
          [0, 1],
        ],
      },
      message: /row 0 has a non-finite/,
    },
    { name: 'one label', input: { ...base, labels: ['no'] }, message: /at least 2 labels/ },
    {
      name: 'bad positive label',
      input: { ...base, positiveLabel: 'maybe' },
      message: /positive label 'maybe'/,
    },
  ];
  for (const c of invalid) {
    it(`throws RangeError: ${c.name}`, () => {
      assert.throws(
        () => classificationMetrics(c.input),
        (e: unknown) => e instanceof RangeError && c.message.test(e.message),
      );
    });
  }
});

// t=[3,-0.5,2,7,4.25]; p=[2.5,0.0,2,8,4]
// mean_absolute_error(t,p), mean_squared_error(t,p,squared=False), r2_score(t,p)
//   -> 0.45 0.5590169943749475 0.9491042345276873
// r2_score(t, t) -> 1.0; r2_score(t, [3.15]*5) -> 0.0 (mae 1.98, rmse 2.4779023386727737)
// r2_score([2,2,2],[2,2,2]) -> 1.0; r2_score([2,2,2],[2,2,2.5]) -> 0.0 (mae 0.1666…, rmse 0.28867513459481287)
// r2_score([1.0],[2.0]) -> nan (UndefinedMetricWarning)
const regressionCases: Array<{
  name: string;
  truth: number[];
  predicted: number[];
  mae: number;
  rmse: number;
  r2: number | null;
}> = [
  {
    name: 'general',
    truth: [3, -0.5, 2, 7, 4.25],
    predicted: [2.5, 0, 2, 8, 4],
    mae: 0.45,
    rmse: 0.5590169943749475,
    r2: 0.9491042345276873,
  },
  { name: 'perfect', truth: [3, -0.5, 2, 7, 4.25], predicted: [3, -0.5, 2, 7, 4.25], mae: 0, rmse: 0, r2: 1 },
  {
    name: 'constant prediction at the mean',
    truth: [3, -0.5, 2, 7, 4.25],
    predicted: [3.15, 3.15, 3.15, 3.15, 3.15],
    mae: 1.98,
    rmse: 2.4779023386727737,
    r2: 0,
  },
  { name: 'constant truth, perfect', truth: [2, 2, 2], predicted: [2, 2, 2], mae: 0, rmse: 0, r2: 1 },
  {
    name: 'constant truth, imperfect',
    truth: [2, 2, 2],
    predicted: [2, 2, 2.5],
    mae: 1 / 6,
    rmse: 0.28867513459481287,
    r2: 0,
  },
  { name: 'one row: R² undefined (null)', truth: [1], predicted: [2], mae: 1, rmse: 1, r2: null },
];

describe('regressionMetrics', () => {
  for (const c of regressionCases) {
    it(c.name, () => {
      const got = regressionMetrics(c);
      close(got.mae, c.mae, 'mae');
      close(got.rmse, c.rmse, 'rmse');
      close(got.r2, c.r2, 'r2');
      assert.equal(got.rows, c.truth.length);
    });
  }

  it('rejects empty, mismatched and non-finite input', () => {
    assert.throws(() => regressionMetrics({ truth: [], predicted: [] }), /no rows/);
    assert.throws(
      () => regressionMetrics({ truth: [1, 2], predicted: [1] }),
      /2 truth values but 1 predictions/,
    );
    assert.throws(() => regressionMetrics({ truth: [1, Number.NaN], predicted: [1, 2] }), RangeError);
  });
});
