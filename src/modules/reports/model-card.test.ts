import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderModelCardHtml, renderModelCardMarkdown, type ModelCardData } from './model-card.js';

const DATA_HASH = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ARTIFACT_HASH = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function card(overrides: Partial<ModelCardData> = {}): ModelCardData {
  return {
    model: 'breast-cancer',
    version: '1.4.0',
    display_id: 'v7',
    task: 'binary_classification',
    description: 'Flags fine-needle aspirates that look malignant.',
    intended_use: 'Second reader for cytologists; never the only signal.',
    ethical_considerations: 'Trained on one hospital in Wisconsin.',
    training_data_version: 'wdbc-2024-06',
    framework: 'scikit-learn 1.5 → ONNX',
    trainer: 'ci@modelgate',
    changelog: 'Retrained with class weights.',
    created_at: '2025-03-01T10:00:00.000Z',
    created_by: 'alice',
    artifact_sha256: ARTIFACT_HASH,
    manifest_sha256: 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
    files: [{ path: 'model.onnx', sha256: ARTIFACT_HASH, size: 2048, role: 'model' }],
    aliases: ['production'],
    lifecycle: {
      state: 'active',
      reason: null,
      changed_at: null,
      changed_by: null,
      artifact: 'present',
      artifact_collected_at: null,
    },
    features: [
      {
        name: 'mean radius',
        type: 'number',
        min: 6.98,
        max: 28.11,
        nullable: false,
        description: 'Mean of distances',
      },
      { name: 'clinic', type: 'category', values: ['north', 'south'], nullable: true },
    ],
    labels: ['benign', 'malignant'],
    declared_metrics: { roc_auc: 0.991234 },
    evaluations: [
      {
        id: 'ev-2',
        created_at: '2025-03-02T08:00:00.000Z',
        created_by: 'bob',
        data_sha256: DATA_HASH,
        data_name: 'holdout.csv',
        rows: 114,
        label_column: 'target',
        metrics: { accuracy: 0.9736842, roc_auc: null },
      },
    ],
    reference: {
      rows: 455,
      data_sha256: DATA_HASH,
      features: [
        {
          name: 'mean radius',
          kind: 'numeric',
          missing_share: 0,
          mean: 14.12729,
          std: 3.524049,
          min: 6.981,
          max: 28.11,
        },
        { name: 'clinic', kind: 'category', missing_share: 0.25, top_categories: ['north', 'south'] },
      ],
      prediction: { kind: 'numeric', mean: 0.6274, std: 0.4835 },
    },
    ...overrides,
  };
}

/** The HTML of one section, from its opening tag to its end. */
function section(html: string, id: string): string {
  const match = new RegExp(`<section id="${id}">[\\s\\S]*?</section>`).exec(html);
  assert.ok(match, `section ${id}`);
  return match[0];
}

const SECTIONS = [
  'Model details',
  'Intended use',
  'Training data',
  'Metrics',
  'Features',
  'Limitations',
  'Ethical considerations',
  'Provenance',
];

describe('renderModelCardHtml', () => {
  it('is one self-contained document with the sections of a model card, in order', () => {
    const html = renderModelCardHtml(card());
    assert.ok(html.startsWith('<!doctype html>'));
    assert.match(html, /<style>[\s\S]+<\/style>/);
    assert.equal(/<script|<link|\bsrc=|href="(?!#)/i.test(html), false);
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;/);
    assert.deepEqual(
      [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1]),
      SECTIONS,
    );
    assert.match(html, /<h1>Model card: breast-cancer 1\.4\.0<\/h1>/);
  });

  it('writes each evaluation metric with 4 decimals, "—" for null, and the data hash abbreviated with the full one in a title', () => {
    const row = /<tr>.*holdout\.csv.*<\/tr>/.exec(section(renderModelCardHtml(card()), 'metrics'))?.[0] ?? '';
    assert.match(row, /<td class="num">0\.9737<\/td><td class="num">—<\/td><\/tr>$/);
    assert.match(row, new RegExp(`<code title="${DATA_HASH}">a1b2c3d4e5f6</code>`));
    assert.match(row, /<td class="num">114<\/td><td><code>target<\/code><\/td>/);
    assert.match(
      section(renderModelCardHtml(card()), 'metrics'),
      /<td>roc_auc<\/td><td class="num">0\.9912<\/td>/,
    );
  });

  it('shows "Not stated." where an optional field is missing', () => {
    const html = renderModelCardHtml(
      card({ limitations: undefined, algorithm: '  ', git_commit: undefined }),
    );
    assert.match(section(html, 'limitations'), /<p><span class="gap">Not stated\.<\/span><\/p>/);
    assert.match(
      section(html, 'model-details'),
      /<dt>Algorithm<\/dt><dd><span class="gap">Not stated\.<\/span>/,
    );
    assert.match(
      section(html, 'provenance'),
      /<dt>Git commit<\/dt><dd><span class="gap">Not stated\.<\/span>/,
    );
    const bare = renderModelCardHtml(card({ reference: null, evaluations: [], declared_metrics: {} }));
    assert.match(section(bare, 'training-data'), /None recorded for this version/);
    assert.match(section(bare, 'metrics'), /Not stated\.[\s\S]*No evaluations recorded\./);
  });

  it('lists features with their domain, nullability and reference mean ± std', () => {
    const features = section(renderModelCardHtml(card()), 'features');
    assert.match(
      features,
      /<code>mean radius<\/code><\/td><td>number<\/td><td>6\.98 to 28\.11<\/td><td>no<\/td><td>14\.13 ± 3\.524 \(6\.981 to 28\.11\)<\/td><td>Mean of distances<\/td>/,
    );
    assert.match(
      features,
      /<td>north, south<\/td><td>yes<\/td><td>north, south; 25\.0% missing<\/td><td><span class="gap">Not stated\.<\/span><\/td>/,
    );
  });

  it('escapes user text so injected markup stays inert, in text and in attributes', () => {
    const evil = `<script>window.__pwned = 1</script>"onerror=alert(1) x='y'`;
    const evaluation = { ...card().evaluations[0]!, data_sha256: `"><img src=x onerror=alert(1)>` };
    const html = renderModelCardHtml(
      card({ description: evil, model: '<b>m</b>', evaluations: [evaluation] }),
    );
    assert.equal(html.includes('<script'), false);
    assert.equal(html.includes('<img'), false);
    assert.equal(html.includes('"onerror'), false);
    assert.match(
      html,
      /&lt;script&gt;window\.__pwned = 1&lt;\/script&gt;&quot;onerror=alert\(1\) x=&#39;y&#39;/,
    );
    assert.match(html, /title="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
    assert.match(html, /<title>Model card: &lt;b&gt;m&lt;\/b&gt; 1\.4\.0<\/title>/);
  });
});

describe('renderModelCardMarkdown', () => {
  it('has the same sections, and "Not stated." for a missing limitation', () => {
    const md = renderModelCardMarkdown(card({ limitations: undefined }));
    assert.deepEqual(
      [...md.matchAll(/^## (.*)$/gm)].map((m) => m[1]),
      SECTIONS,
    );
    assert.match(md, /^## Limitations\n\n_Not stated\._\n\n## Ethical considerations$/m);
    assert.match(md, /^- \*\*Display id:\*\* `v7`$/m);
  });

  it('tabulates evaluations with 4 decimals and the full data hash as a footnote', () => {
    const md = renderModelCardMarkdown(card());
    assert.match(
      md,
      /^\| Evaluated at \| By \| Data \| Data sha256 \| Rows \| Label column \| accuracy \| roc\\_auc \|$/m,
    );
    assert.match(md, /^\| --- \| --- \| --- \| --- \| ---: \| --- \| ---: \| ---: \|$/m);
    assert.match(md, /\| holdout\.csv \| `a1b2c3d4e5f6`\[\^hash-1\] \| 114 \| `target` \| 0\.9737 \| — \|$/m);
    assert.match(md, new RegExp(`^\\[\\^hash-1\\]: sha256 \`${DATA_HASH}\`$`, 'm'));
    assert.match(md, /^\| roc\\_auc \| 0\.9912 \|$/m);
  });

  it('escapes pipes in cells and keeps user text from adding headings, HTML or links', () => {
    const md = renderModelCardMarkdown(
      card({
        description: '# Pwned\n<img src=x onerror=alert(1)> [click](javascript:alert(1))',
        features: [{ name: 'a|b', type: 'number', nullable: false, description: 'x | y\n# z' }],
      }),
    );
    assert.equal(/^# Pwned/m.test(md), false);
    assert.match(renderModelCardMarkdown(card({ model: '# evil' })), /^\\# evil 1\.4\.0 \(v7\) is a/m);
    assert.equal(md.includes('<img'), false);
    assert.equal(md.includes('[click]('), false);
    assert.match(
      md,
      /^- \*\*Description:\*\* \\# Pwned\n {2}&lt;img src=x onerror=alert\(1\)> \\\[click\\\]\(javascript:alert\(1\)\)$/m,
    );
    const row = md.split('\n').find((l) => l.startsWith('| a'));
    assert.equal(row, '| a\\|b | number | _Not stated._ | no | — | x \\| y # z |');
    assert.equal(row.split(/(?<!\\)\|/).length - 2, 6, 'six cells');
  });

  it('states a deprecation with its time, author and reason in the summary and the details', () => {
    const md = renderModelCardMarkdown(
      card({
        lifecycle: {
          state: 'deprecated',
          reason: 'replaced by 2.0.0',
          changed_at: '2025-04-01T09:00:00.000Z',
          changed_by: 'carol',
          artifact: 'present',
          artifact_collected_at: null,
        },
      }),
    );
    const expected = 'Deprecated since 2025-04-01T09:00:00.000Z by carol: replaced by 2.0.0.';
    assert.ok(md.split('\n')[2]!.endsWith(` ${expected}`), md.split('\n')[2]);
    assert.ok(md.includes(`- **Lifecycle:** ${expected}\n`));
    assert.ok(renderModelCardMarkdown(card()).includes('- **Lifecycle:** Active.\n'));
  });

  it("says when an archived version's artifact was collected", () => {
    const html = renderModelCardHtml(
      card({
        lifecycle: {
          state: 'archived',
          reason: 'superseded',
          changed_at: '2025-04-01T09:00:00.000Z',
          changed_by: 'carol',
          artifact: 'collected',
          artifact_collected_at: '2025-05-01T00:00:00.000Z',
        },
      }),
    );
    assert.ok(
      html.includes(
        '<dt>Lifecycle</dt><dd>Archived since 2025-04-01T09:00:00.000Z by carol: superseded. Artifact garbage-collected at 2025-05-01T00:00:00.000Z.</dd>',
      ),
    );
  });
});

describe('the deployment-readiness section', () => {
  const readiness: NonNullable<ModelCardData['readiness']> = {
    go: false,
    checks: [
      { name: 'artifact hash', verdict: 'pass', reason: 'every stored file matches its registered SHA-256' },
      {
        name: 'deployment window',
        verdict: 'fail',
        reason: 'rollouts are frozen until 2027-01-04T00:00:00.000Z',
      },
      { name: 'model card', verdict: 'warn', reason: 'Not stated: limitations' },
    ],
  };

  it('comes last, with the verdict and one row per check, when the server drew the card', () => {
    const md = renderModelCardMarkdown(card({ readiness }));
    const at = md.indexOf('## Deployment readiness');
    assert.ok(at > md.indexOf('## Provenance'), 'after provenance');
    const part = md.slice(at);
    assert.match(part, /NO-GO for production: 1 check\(s\) failed, 1 warning\(s\)/);
    assert.match(
      part,
      /\| deployment window \| fail \| rollouts are frozen until 2027-01-04T00:00:00\.000Z \|/,
    );
    const html = renderModelCardHtml(card({ readiness }));
    assert.deepEqual(
      [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1]),
      [...SECTIONS, 'Deployment readiness'],
    );
  });

  it('is absent when the card has no readiness (a card rendered offline)', () => {
    assert.doesNotMatch(renderModelCardMarkdown(card()), /Deployment readiness/);
  });
});
