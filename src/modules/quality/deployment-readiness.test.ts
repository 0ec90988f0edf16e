import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assessReadiness, type ReadinessFacts } from './deployment-readiness.js';

const ready: ReadinessFacts = {
  model: 'm',
  version: '2.0.0',
  task: 'binary-classification',
  integrity: { ok: true, mismatched: [] },
  smoke: { tests: 3 },
  promotion: {
    allowed: true,
    checks: [
      {
        rule: 'roc_auc >= 0.9',
        metric: 'roc_auc',
        verdict: 'pass',
        candidate: 0.95,
        threshold: 0.9,
        detail: 'roc_auc 0.95 >= 0.9',
      },
    ],
  },
  evaluations: 1,
  reference: true,
  card: { intended_use: 'x', limitations: 'y', ethical_considerations: 'z' },
  labels: { names: ['no', 'yes'], declared: true },
  aliases: { production: '1.0.0' },
  window: undefined,
};

const verdicts = (f: ReadinessFacts) =>
  Object.fromEntries(assessReadiness(f).checks.map((c) => [c.name, c.verdict]));

it('assessReadiness: everything in place is GO with every check passing, in a fixed order', () => {
  const r = assessReadiness(ready);
  assert.equal(r.go, true);
  assert.deepEqual(
    r.checks.map((c) => [c.name, c.verdict]),
    [
      ['artifact hash', 'pass'],
      ['smoke tests', 'pass'],
      ['promotion policy', 'pass'],
      ['drift reference', 'pass'],
      ['model card', 'pass'],
      ['labels', 'pass'],
      ['rollback target', 'pass'],
      ['deployment window', 'pass'],
    ],
  );
  assert.equal(r.checks[6]!.reason, 'm@1.0.0 (production now) to roll back to');
});

const cases: Array<[string, Partial<ReadinessFacts>, Record<string, string>, boolean, RegExp?]> = [
  [
    'hash mismatch fails',
    { integrity: { ok: false, mismatched: ['model.onnx'] } },
    { 'artifact hash': 'fail' },
    false,
    /SHA-256 mismatch: model\.onnx/,
  ],
  [
    'unverifiable hash fails',
    { integrity: { error: 'blob missing' } },
    { 'artifact hash': 'fail' },
    false,
    /cannot verify: blob missing/,
  ],
  [
    'a failing smoke test fails',
    { smoke: { tests: 2, error: 'expected label yes, got no' } },
    { 'smoke tests': 'fail' },
    false,
  ],
  ['no smoke tests warns', { smoke: { tests: 0 } }, { 'smoke tests': 'warn' }, true],
  [
    'policy refusal fails',
    {
      promotion: {
        allowed: false,
        checks: [
          {
            rule: 'roc_auc >= 0.95',
            metric: 'roc_auc',
            verdict: 'fail',
            candidate: 0.3,
            threshold: 0.95,
            detail: 'roc_auc 0.3 is below the required 0.95',
          },
        ],
      },
    },
    { 'promotion policy': 'fail' },
    false,
    /roc_auc 0\.3 is below the required 0\.95/,
  ],
  [
    'no policy, no evaluation warns',
    { promotion: undefined, evaluations: 0 },
    { 'promotion policy': 'warn' },
    true,
  ],
  [
    'no policy, evaluated passes',
    { promotion: undefined, evaluations: 2 },
    { 'promotion policy': 'pass' },
    true,
  ],
  ['no reference warns', { reference: false }, { 'drift reference': 'warn' }, true],
  [
    'card fields not stated warn',
    { card: { intended_use: 'x', limitations: '  ' } },
    { 'model card': 'warn' },
    true,
    /Not stated: limitations, ethical_considerations/,
  ],
  [
    'labels from the graph warn',
    { labels: { names: ['0', '1'], declared: false } },
    { labels: 'warn' },
    true,
  ],
  ['no labels warn', { labels: { names: undefined, declared: false } }, { labels: 'warn' }, true],
  [
    'regression needs no labels',
    { task: 'regression', labels: { names: undefined, declared: false } },
    { labels: 'pass' },
    true,
  ],
  ['first version: nothing to roll back to warns', { aliases: {} }, { 'rollback target': 'warn' }, true],
  [
    'production itself: previous is the target',
    { aliases: { production: '2.0.0', previous: '1.0.0' } },
    { 'rollback target': 'pass' },
    true,
    /m@1\.0\.0 \(previous\)/,
  ],
  [
    'production without previous warns',
    { aliases: { production: '2.0.0' } },
    { 'rollback target': 'warn' },
    true,
  ],
  [
    'outside the window fails',
    { window: 'rollouts are frozen until 2027-01-04T00:00:00.000Z' },
    { 'deployment window': 'fail' },
    false,
    /frozen until/,
  ],
];

for (const [name, change, expected, go, reason] of cases) {
  it(`assessReadiness: ${name}`, () => {
    const f = { ...ready, ...change };
    const r = assessReadiness(f);
    const v = verdicts(f);
    for (const [check, verdict] of Object.entries(expected)) assert.equal(v[check], verdict, check);
    // every other check keeps passing
    const others = Object.entries(v).filter(([k]) => !(k in expected));
    assert.deepEqual(
      others.filter(([, x]) => x !== 'pass'),
      [],
    );
    assert.equal(r.go, go);
    if (reason) assert.match(r.checks.find((c) => c.name in expected)!.reason, reason);
  });
}
