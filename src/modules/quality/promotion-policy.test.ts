import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPromotion,
  parsePromotionPolicy,
  summarise,
  type PromotionRule,
  type PromotionSide,
} from './promotion-policy.js';

describe('parsePromotionPolicy', () => {
  const good: Array<{ text: string; rules: PromotionRule[] }> = [
    { text: '', rules: [] },
    { text: '  ;  ', rules: [] },
    {
      text: 'roc_auc >= 0.95; accuracy>0.9;',
      rules: [
        { text: 'roc_auc >= 0.95', metric: 'roc_auc', op: '>=', bound: { kind: 'absolute', value: 0.95 } },
        { text: 'accuracy > 0.9', metric: 'accuracy', op: '>', bound: { kind: 'absolute', value: 0.9 } },
      ],
    },
    {
      text: 'roc_auc >= production - 0.01; log_loss<=production+0.05; f1 > production; mae < production - 1e-3',
      rules: [
        {
          text: 'roc_auc >= production - 0.01',
          metric: 'roc_auc',
          op: '>=',
          bound: { kind: 'production', offset: -0.01 },
        },
        {
          text: 'log_loss <= production + 0.05',
          metric: 'log_loss',
          op: '<=',
          bound: { kind: 'production', offset: 0.05 },
        },
        { text: 'f1 > production', metric: 'f1', op: '>', bound: { kind: 'production', offset: 0 } },
        {
          text: 'mae < production - 0.001',
          metric: 'mae',
          op: '<',
          bound: { kind: 'production', offset: -0.001 },
        },
      ],
    },
    {
      text: 'r2 >= -0.5; rmse <= .25; p99_latency_ms <= 120',
      rules: [
        { text: 'r2 >= -0.5', metric: 'r2', op: '>=', bound: { kind: 'absolute', value: -0.5 } },
        { text: 'rmse <= 0.25', metric: 'rmse', op: '<=', bound: { kind: 'absolute', value: 0.25 } },
        {
          text: 'p99_latency_ms <= 120',
          metric: 'p99_latency_ms',
          op: '<=',
          bound: { kind: 'absolute', value: 120 },
        },
      ],
    },
  ];
  for (const c of good) {
    it(`parses ${JSON.stringify(c.text)}`, () => assert.deepEqual(parsePromotionPolicy(c.text), c.rules));
  }

  const bad: Array<{ text: string; message: string }> = [
    {
      text: 'roc_auc => 0.9',
      message:
        'promotion policy rule 1 "roc_auc => 0.9" is invalid: expected one of >=, >, <=, < after "roc_auc", got "=> 0.9" ("<metric> <op> <number>" or "<metric> <op> production [+|-] <number>")',
    },
    {
      text: 'accuracy >= 0.9; ROC_AUC >= 0.9',
      message:
        'promotion policy rule 2 "ROC_AUC >= 0.9" is invalid: expected a metric name of a-z, 0-9 and _ first ("<metric> <op> <number>" or "<metric> <op> production [+|-] <number>")',
    },
    {
      text: 'roc_auc >= high',
      message:
        'promotion policy rule 1 "roc_auc >= high" is invalid: expected a number or "production [+|-] <number>" after ">=", got "high" ("<metric> <op> <number>" or "<metric> <op> production [+|-] <number>")',
    },
    { text: 'roc_auc >= production * 0.99', message: 'got "production * 0.99"' },
    { text: 'roc_auc >= production - x', message: 'got "production - x"' },
    { text: 'roc_auc >= production - -0.01', message: 'got "production - -0.01"' },
    { text: 'roc_auc >=', message: 'after ">=", got ""' },
    { text: 'roc_auc', message: 'after "roc_auc", got ""' },
    { text: 'roc_auc == 0.9', message: 'got "== 0.9"' },
    { text: 'roc_auc >= 0.9 accuracy >= 0.8', message: 'got "0.9 accuracy >= 0.8"' },
  ];
  for (const c of bad) {
    it(`rejects ${JSON.stringify(c.text)}`, () => {
      assert.throws(
        () => parsePromotionPolicy(c.text),
        (e: unknown) => e instanceof Error && e.message.includes(c.message),
      );
    });
  }
});

const rules = parsePromotionPolicy(
  'roc_auc >= 0.95; roc_auc >= production - 0.01; log_loss <= production + 0.05',
);
const evaluated = (
  version: string,
  metrics: Record<string, number | null>,
  data = 'a'.repeat(64),
): PromotionSide => ({
  version,
  evaluation: { metrics, data_sha256: data },
});
const prod = evaluated('1.0.0', { roc_auc: 0.9948, log_loss: 0.2 });
type Row = [verdict: 'pass' | 'fail', candidate: number | null, threshold: number | null, detail: string];

describe('checkPromotion', () => {
  const cases: Array<{
    name: string;
    candidate: PromotionSide;
    production: PromotionSide | undefined;
    allowed: boolean;
    rows: Row[];
  }> = [
    {
      name: 'all rules met against production on the same data',
      candidate: evaluated('1.1.0', { roc_auc: 0.99, log_loss: 0.24 }),
      production: prod,
      allowed: true,
      rows: [
        ['pass', 0.99, 0.95, 'roc_auc 0.99 >= 0.95'],
        ['pass', 0.99, 0.9848, 'roc_auc 0.99 >= 0.9848 (production 1.0.0: 0.9948)'],
        ['pass', 0.24, 0.25, 'log_loss 0.24 <= 0.25 (production 1.0.0: 0.2)'],
      ],
    },
    {
      name: 'below the absolute floor and worse than production by more than the margin',
      candidate: evaluated('1.1.0', { roc_auc: 0.9012, log_loss: 0.31 }),
      production: prod,
      allowed: false,
      rows: [
        ['fail', 0.9012, 0.95, 'roc_auc 0.9012 is below the required 0.95'],
        ['fail', 0.9012, 0.9848, 'roc_auc 0.9012 is worse than production 1.0.0 (0.9948) by more than 0.01'],
        ['fail', 0.31, 0.25, 'log_loss 0.31 is worse than production 1.0.0 (0.2) by more than 0.05'],
      ],
    },
    {
      name: 'no evaluation of the candidate: every rule fails',
      candidate: { version: '1.1.0', evaluation: undefined },
      production: prod,
      allowed: false,
      rows: Array.from({ length: 3 }, (): Row => [
        'fail',
        null,
        null,
        'no evaluation of 1.1.0 recorded; run `modelgate models evaluate …`',
      ]),
    },
    {
      name: 'metric missing or null in the candidate evaluation',
      candidate: evaluated('1.1.0', { roc_auc: null, accuracy: 0.97 }),
      production: prod,
      allowed: false,
      rows: [
        ['fail', null, null, 'the evaluation of 1.1.0 has no value for roc_auc (it has accuracy)'],
        ['fail', null, null, 'the evaluation of 1.1.0 has no value for roc_auc (it has accuracy)'],
        ['fail', null, null, 'the evaluation of 1.1.0 has no log_loss (it has accuracy)'],
      ],
    },
    {
      name: 'first promotion: relative rules pass, absolute rules still apply',
      candidate: evaluated('1.0.0', { roc_auc: 0.96, log_loss: 0.3 }),
      production: undefined,
      allowed: true,
      rows: [
        ['pass', 0.96, 0.95, 'roc_auc 0.96 >= 0.95'],
        ['pass', 0.96, null, 'no production version to compare with'],
        ['pass', 0.3, null, 'no production version to compare with'],
      ],
    },
    {
      name: 'production has no evaluation',
      candidate: evaluated('1.1.0', { roc_auc: 0.99, log_loss: 0.2 }),
      production: { version: '1.0.0', evaluation: undefined },
      allowed: false,
      rows: [
        ['pass', 0.99, 0.95, 'roc_auc 0.99 >= 0.95'],
        [
          'fail',
          0.99,
          null,
          'production 1.0.0 has no evaluation recorded to compare with; evaluate it on the same data',
        ],
        [
          'fail',
          0.2,
          null,
          'production 1.0.0 has no evaluation recorded to compare with; evaluate it on the same data',
        ],
      ],
    },
    {
      name: 'production evaluated on different data',
      candidate: evaluated('1.1.0', { roc_auc: 0.99, log_loss: 0.2 }, 'b'.repeat(64)),
      production: prod,
      allowed: false,
      rows: [
        ['pass', 0.99, 0.95, 'roc_auc 0.99 >= 0.95'],
        ...Array.from({ length: 2 }, (_, i): Row => [
          'fail',
          [0.99, 0.2][i]!,
          null,
          '1.1.0 and production 1.0.0 were evaluated on different data (bbbbbbbbbbbb vs aaaaaaaaaaaa); comparisons on different data are meaningless, evaluate both on the same data',
        ]),
      ],
    },
    {
      name: 'production evaluation lacks the metric',
      candidate: evaluated('1.1.0', { roc_auc: 0.99, log_loss: 0.2 }),
      production: evaluated('1.0.0', { roc_auc: 0.99 }),
      allowed: false,
      rows: [
        ['pass', 0.99, 0.95, 'roc_auc 0.99 >= 0.95'],
        ['pass', 0.99, 0.98, 'roc_auc 0.99 >= 0.98 (production 1.0.0: 0.99)'],
        ['fail', 0.2, null, 'the evaluation of production 1.0.0 has no log_loss (it has roc_auc)'],
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = checkPromotion(rules, c.candidate, c.production);
      assert.equal(result.allowed, c.allowed);
      assert.deepEqual(
        result.checks.map((x) => [x.verdict, x.candidate, x.threshold, x.detail]),
        c.rows,
      );
      assert.deepEqual(
        result.checks.map((x) => [x.rule, x.metric]),
        rules.map((r) => [r.text, r.metric]),
      );
    });
  }

  it('passes exactly on a relative threshold despite floating-point rounding', () => {
    // 0.8 - 0.1 is 0.7000000000000001 in float64: a candidate at 0.7 must still meet ">= production - 0.1"
    const result = checkPromotion(
      parsePromotionPolicy('roc_auc >= production - 0.1'),
      evaluated('1.1.0', { roc_auc: 0.7 }),
      evaluated('1.0.0', { roc_auc: 0.8 }),
    );
    assert.equal(result.allowed, true);
    assert.equal(result.checks[0]!.threshold, 0.7);
  });

  it('allows anything without rules', () => {
    assert.deepEqual(checkPromotion([], { version: '1', evaluation: undefined }, undefined), {
      allowed: true,
      checks: [],
    });
  });

  const phrasing: Array<{ policy: string; value: number; base: number; detail: string }> = [
    { policy: 'accuracy > 0.9', value: 0.9, base: 0, detail: 'accuracy 0.9 is not above the required 0.9' },
    { policy: 'log_loss <= 0.3', value: 0.31, base: 0, detail: 'log_loss 0.31 is above the allowed 0.3' },
    { policy: 'mae < 2', value: 2, base: 0, detail: 'mae 2 is not below the allowed 2' },
    {
      policy: 'roc_auc >= 0.95',
      value: 0.94996,
      base: 0,
      detail: 'roc_auc 0.94996 is below the required 0.95',
    },
    { policy: 'f1 >= production', value: 0.8, base: 0.81, detail: 'f1 0.8 is below production 1.0.0 (0.81)' },
    {
      policy: 'f1 > production',
      value: 0.81,
      base: 0.81,
      detail: 'f1 0.81 is not above production 1.0.0 (0.81)',
    },
    { policy: 'mae <= production', value: 2.5, base: 2, detail: 'mae 2.5 is above production 1.0.0 (2)' },
    {
      policy: 'f1 >= production + 0.02',
      value: 0.82,
      base: 0.81,
      detail: 'f1 0.82 does not improve on production 1.0.0 (0.81) by at least 0.02',
    },
    {
      policy: 'mae < production - 0.5',
      value: 1.5,
      base: 2,
      detail: 'mae 1.5 does not improve on production 1.0.0 (2) by more than 0.5',
    },
    {
      policy: 'f1 > production - 0.01',
      value: 0.8,
      base: 0.81,
      detail: 'f1 0.8 is worse than production 1.0.0 (0.81) by 0.01 or more',
    },
  ];
  for (const c of phrasing) {
    it(`explains a failed "${c.policy}"`, () => {
      const [rule] = parsePromotionPolicy(c.policy);
      const metric = rule!.metric;
      const result = checkPromotion(
        [rule!],
        evaluated('1.1.0', { [metric]: c.value }),
        evaluated('1.0.0', { [metric]: c.base }),
      );
      assert.equal(result.allowed, false);
      assert.equal(result.checks[0]!.detail, c.detail);
    });
  }
});

describe('summarise', () => {
  it('names every failing metric on one line', () => {
    const result = checkPromotion(rules, evaluated('1.1.0', { roc_auc: 0.9012, log_loss: 0.2 }), prod);
    assert.equal(
      summarise(result),
      'promotion policy not met: roc_auc 0.9012 is below the required 0.95; roc_auc 0.9012 is worse than production 1.0.0 (0.9948) by more than 0.01',
    );
  });

  it('says when the policy is met', () => {
    const result = checkPromotion(rules, evaluated('1.0.0', { roc_auc: 0.99, log_loss: 0.1 }), undefined);
    assert.equal(summarise(result), 'promotion policy met (3 rules pass)');
  });
});
