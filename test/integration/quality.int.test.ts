import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { describeEachDatabase, type TestDialect } from '../helpers/databases.js';
import { apiError, DEMO, FIXTURES, raw, startTestServer, type TestServer } from '../helpers/server.js';

const TEST_CSV = join(DEMO, 'test.csv');
const POLICY = 'roc_auc >= 0.95; roc_auc >= production - 0.01';
const csv = { 'content-type': 'text/csv' };

const declared = (version: string) =>
  (
    parseYaml(readFileSync(join(DEMO, version, 'manifest.yaml'), 'utf8')) as {
      metrics: Record<string, number>;
    }
  ).metrics;

async function withVersions(
  t: Parameters<typeof startTestServer>[0],
  env: Record<string, string> = {},
  dialect: TestDialect = 'sqlite',
) {
  const s = await startTestServer(t, { env, dialect });
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) await s.admin.registerVersion(join(DEMO, v, 'manifest.yaml'));
  return s;
}

const evaluate = (s: TestServer, version: string) =>
  s.admin.evaluate('breast-cancer', version, TEST_CSV, 'target');

describeEachDatabase('evaluations over labelled data', (dialect) => {
  it('records the metrics scikit-learn computed at training, with the data hash', async (t) => {
    const s = await withVersions(t, {}, dialect);
    for (const version of ['1.0.0', '1.2.0']) {
      const e = await evaluate(s, version);
      assert.equal(e.rows, 143);
      assert.equal(e.label_column, 'target');
      assert.equal(e.data_name, 'test.csv');
      assert.equal(e.data_sha256, createHash('sha256').update(readFileSync(TEST_CSV)).digest('hex'));
      // the manifest's metrics came from scikit-learn on the same rows (float64 probabilities;
      // modelgate's are float32 from ONNX Runtime): equal to the 4 decimals they were written with
      for (const [metric, value] of Object.entries(declared(version))) {
        assert.ok(
          Math.abs(e.metrics[metric]! - value) < 6e-4,
          `${version} ${metric}: ${e.metrics[metric]} vs ${value}`,
        );
      }
    }
    const listed = await s.admin.listEvaluations('breast-cancer', '1.0.0');
    assert.equal(listed.length, 1);
    const audit = (await s.admin.listAudit({ model: 'breast-cancer' })).events;
    assert.equal(audit.filter((e) => e.action === 'model.version.evaluated').length, 2);
  });

  it('refuses data it cannot use, naming the row or column', async (t) => {
    const s = await withVersions(t, {}, dialect);
    const path = '/v1/models/breast-cancer/versions/1.0.0/evaluations';
    const text = readFileSync(TEST_CSV, 'utf8');
    const [header, first, ...rest] = text.trim().split('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['?label=nope', text, /has no label column 'nope'/],
      [
        '?label=target',
        `${header}\n${first!.replace(/,malignant$|,benign$/, ',maybe')}\n`,
        /truth 'maybe' in row 1 \(1-based\) is not one of the labels malignant, benign/,
      ],
      [
        '?label=target',
        `${header!.replace('mean_radius', 'radius')}\n${first}\n`,
        /has no column for feature mean_radius/,
      ],
      [
        '?label=target',
        `${header}\n${first!.replace(/^[^,]+/, 'abc')}\n${rest[0]}\n`,
        /row 1, column mean_radius: 'abc' is not a number/,
      ],
      [
        '?label=target',
        `${header}\n${first!.replace(/^[^,]+/, '75.2')}\n`,
        /row 1: \/mean_radius must be <= 60/,
      ],
      ['?label=target', 'not,a\ncsv"file', /not a readable CSV file \(Invalid Opening Quote/],
    ];
    for (const [query, body, message] of cases) {
      const r = await raw(s, 'POST', path + query, { body, headers: csv });
      assert.equal(r.status, 422, `${query}: ${r.text}`);
      assert.equal(r.json.code, 'DATA_INVALID', r.text);
      assert.match(r.json.detail, message);
    }
    const json = await raw(s, 'POST', path + '?label=target', {
      body: '{"rows": []}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.status, 415);
    const missing = await raw(s, 'POST', path, { body: text, headers: csv });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.code, 'VALIDATION_FAILED');
    const reader = await s.admin.createKey('reader', ['read']);
    const forbidden = await raw(s, 'POST', path + '?label=target', {
      body: text,
      headers: csv,
      key: reader.key,
    });
    assert.equal(forbidden.status, 403);
    assert.deepEqual(await s.admin.listEvaluations('breast-cancer', '1.0.0'), [], 'nothing was recorded');
  });
});

describe('evaluations of a label-only classifier', () => {
  it('records accuracy and F1, and no ROC-AUC or log loss (there are no scores to rank)', async (t) => {
    const s = await startTestServer(t);
    const dir = join(FIXTURES, 'iris-label-only');
    await s.admin.registerVersion(join(dir, 'manifest.yaml'));
    const manifest = parseYaml(readFileSync(join(dir, 'manifest.yaml'), 'utf8')) as {
      smoke_tests: Array<{ input: Record<string, number>; expected: { label: string } }>;
    };
    const names = Object.keys(manifest.smoke_tests[0]!.input);
    const lines = manifest.smoke_tests.map((st) =>
      [...names.map((n) => st.input[n]), st.expected.label].join(','),
    );
    const body = [[...names, 'species'].join(','), ...lines].join('\n');
    const r = await raw(s, 'POST', '/v1/models/iris-labels/versions/1.0.0/evaluations?label=species', {
      body,
      headers: csv,
    });
    assert.equal(r.status, 201, r.text);
    const metrics = r.json.metrics as Record<string, number | null>;
    assert.equal(metrics.accuracy, 1);
    assert.equal(metrics.f1, 1);
    assert.equal(metrics.roc_auc, null);
    assert.equal(metrics.log_loss, null);
  });
});

describe('promotion policy', () => {
  it('blocks a promotion that fails it, naming the metric, and allows one that meets it', async (t) => {
    const s = await withVersions(t, { MODELGATE_PROMOTION_POLICY: POLICY });
    const unevaluated = await apiError(s.admin.promote('breast-cancer', '1.0.0'));
    assert.equal(unevaluated.status, 409);
    assert.equal(unevaluated.code, 'PROMOTION_POLICY_FAILED');
    assert.match(unevaluated.detail, /no evaluation of 1\.0\.0 recorded/);

    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await evaluate(s, v);
    assert.equal((await s.admin.promote('breast-cancer', '1.0.0')).aliases.production, '1.0.0');

    // the degraded candidate: below the floor, and worse than production by far more than 0.01
    const refused = await apiError(s.admin.promote('breast-cancer', '1.2.0'));
    assert.equal(refused.code, 'PROMOTION_POLICY_FAILED');
    assert.match(refused.detail, /roc_auc 0\.\d+ is below the required 0\.95/);
    assert.match(refused.detail, /worse than production 1\.0\.0 \(0\.99\d*\) by more than 0\.01/);
    assert.deepEqual(
      refused.errors.map((e) => e.pointer),
      ['/metrics/roc_auc', '/metrics/roc_auc'],
    );
    const rollout = await apiError(s.admin.startRollout('breast-cancer', { candidate: '1.2.0' }));
    assert.equal(rollout.code, 'PROMOTION_POLICY_FAILED');
    assert.match(rollout.detail, /cannot be rolled out/);
    assert.equal((await s.admin.getModel('breast-cancer')).aliases.production, '1.0.0', 'nothing moved');

    // 1.1.0: 0.9935 ≥ 0.95 and within 0.01 of production's 0.9948
    const allowed = await s.admin.promote('breast-cancer', '1.1.0');
    assert.equal(allowed.aliases.production, '1.1.0');
  });

  it('lets an admin override with a reason, which goes to the audit log', async (t) => {
    const s = await withVersions(t, { MODELGATE_PROMOTION_POLICY: POLICY });
    for (const v of ['1.0.0', '1.2.0']) await evaluate(s, v);
    await s.admin.promote('breast-cancer', '1.0.0');
    const r = await s.admin.promote('breast-cancer', '1.2.0', {
      overrideReason: 'incident 42: rollback target',
    });
    assert.equal(r.aliases.production, '1.2.0');
    const events = (await s.admin.listAudit({ model: 'breast-cancer' })).events;
    const override = events.find((e) => e.action === 'model.promotion_policy_overridden');
    assert.ok(override, JSON.stringify(events.map((e) => e.action)));
    const after = override.after as { action: string; reason: string; checks: Array<{ verdict: string }> };
    assert.equal(after.reason, 'incident 42: rollback target');
    assert.equal(after.action, 'promote');
    assert.ok(after.checks.some((c) => c.verdict === 'fail'));
    // an override reason without a refusal is not audited (1.0.0 meets the policy)
    const before = events.length;
    await s.admin.promote('breast-cancer', '1.0.0', { overrideReason: 'not needed' });
    const later = (await s.admin.listAudit({ model: 'breast-cancer' })).events;
    assert.equal(later.filter((e) => e.action === 'model.promotion_policy_overridden').length, 1);
    assert.equal(later.length, before + 1);

    // a rollout start takes the same override, audited as such
    await s.admin.promote('breast-cancer', '1.0.0');
    const rollout = await s.admin.startRollout('breast-cancer', {
      candidate: '1.2.0',
      override_reason: 'incident 43: canary the fix',
    });
    assert.equal(rollout.state, 'running');
    const overrides = (await s.admin.listAudit({ model: 'breast-cancer' })).events.filter(
      (e) => e.action === 'model.promotion_policy_overridden',
    );
    assert.equal(overrides.length, 2);
    const started = overrides.find((e) => (e.after as { action: string }).action === 'rollout');
    assert.equal((started?.after as { reason: string } | undefined)?.reason, 'incident 43: canary the fix');
  });

  it('applies only the rules of the version task, and refuses a malformed policy at start', async (t) => {
    const s = await startTestServer(t, { env: { MODELGATE_PROMOTION_POLICY: POLICY } });
    await s.admin.registerVersion(join(FIXTURES, 'diabetes-regressor/manifest.yaml'));
    // roc_auc does not apply to a regressor: nothing to meet
    assert.equal((await s.admin.promote('diabetes', '1.0.0')).aliases.production, '1.0.0');
    // a regression rule does apply to it (and, with no evaluation, refuses)
    const r2 = await startTestServer(t, { env: { MODELGATE_PROMOTION_POLICY: `${POLICY}; r2 >= 0.4` } });
    await r2.admin.registerVersion(join(FIXTURES, 'diabetes-regressor/manifest.yaml'));
    const refused = await apiError(r2.admin.promote('diabetes', '1.0.0'));
    assert.equal(refused.code, 'PROMOTION_POLICY_FAILED');
    assert.deepEqual(
      refused.errors.map((e) => e.pointer),
      ['/metrics/r2'],
    );
    await assert.rejects(
      startTestServer(t, { env: { MODELGATE_PROMOTION_POLICY: 'roc_auc => 0.9' } }),
      /MODELGATE_PROMOTION_POLICY: promotion policy rule 1 "roc_auc => 0.9" is invalid/,
    );
  });
});

describe('model cards', () => {
  it('renders Markdown and HTML from the manifest, evaluations and reference profile', async (t) => {
    const s = await withVersions(t);
    const e = await evaluate(s, '1.0.0');
    const md = await s.admin.card('breast-cancer', '1.0.0');
    assert.match(md, /^# /);
    assert.match(md, /Intended use/);
    assert.match(md, /Demonstration of modelgate/);
    assert.match(md, /Not a medical device/);
    assert.ok(md.includes(e.data_sha256.slice(0, 12)), 'the evaluation data hash');
    assert.ok(md.includes(e.metrics.roc_auc!.toFixed(4)), 'the evaluated ROC-AUC');
    assert.match(md, /426/); // reference rows
    // the evaluation's own row (its data hash, then its ROC-AUC), not the manifest's metric table
    const row = md.split('\n').find((l) => l.includes(`\`${e.data_sha256.slice(0, 12)}\``));
    assert.ok(row?.includes(`| ${e.metrics.roc_auc!.toFixed(4)} |`), row);
    assert.match(md, /\*\*Reference data:\*\* 426 rows/);
    const v = await s.admin.getVersion('breast-cancer', '1.0.0');
    assert.ok(md.includes(v.artifact_sha256));

    const html = await raw(s, 'GET', '/v1/models/breast-cancer/versions/1.0.0/card?format=html');
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(
      html.headers.get('content-security-policy') ?? '',
      /default-src 'none'; style-src 'unsafe-inline'/,
    );
    assert.match(html.text, /^<!doctype html>/i);
    assert.ok(html.text.includes(v.artifact_sha256));
    const bad = await raw(s, 'GET', '/v1/models/breast-cancer/versions/1.0.0/card?format=pdf');
    assert.equal(bad.status, 422);
    assert.equal(
      (await raw(s, 'GET', '/v1/models/breast-cancer/versions/9.9.9/card')).json.code,
      'VERSION_NOT_FOUND',
    );
  });
});
