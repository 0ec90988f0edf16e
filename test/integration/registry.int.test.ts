import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ModelgateApiError } from '../../src/client/client.js';
import { listAudit } from '../../src/modules/audit/audit.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { apiError, DEMO, FIXTURES, raw, startTestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const demo = (v: string) => join(DEMO, v, 'manifest.yaml');
const example = JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as {
  instances: Array<Record<string, unknown>>;
};

describeEachDatabase('registry over HTTP', (dialect) => {
  it('registers a version with its hash, returns it again for the same bytes, refuses other bytes with 409', async (t) => {
    const s = await startTestServer(t, { dialect });
    const first = await s.admin.registerVersion(demo('1.0.0'));
    assert.equal(first.created, true);
    assert.equal(
      first.version.artifact_sha256,
      sha256(join(DEMO, '1.0.0/model.onnx')),
      'equals sha256sum of the file',
    );
    assert.match(first.version.display_id, /^breast-cancer-v1\.0\.0-\d{8}-\d{4}$/);
    assert.equal(first.version.signature.features.length, 30);
    assert.deepEqual(first.version.signature.labels, ['malignant', 'benign']);

    const again = await s.admin.registerVersion(demo('1.0.0'));
    assert.equal(again.created, false);
    assert.equal(again.version.created_at, first.version.created_at);

    // the same (name, version) with 1.1.0's bytes
    const dir = mkdtempSync(join(tmpdir(), 'mg-reg-'));
    cpSync(join(DEMO, '1.1.0'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'manifest.yaml'),
      readFileSync(join(dir, 'manifest.yaml'), 'utf8').replace('version: 1.1.0', 'version: 1.0.0'),
    );
    const conflict = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(conflict.status, 409);
    assert.equal(conflict.code, 'VERSION_EXISTS');
    assert.match(conflict.detail, /immutable/);
    assert.equal(
      (await s.admin.getVersion('breast-cancer', '1.0.0')).artifact_sha256,
      first.version.artifact_sha256,
    );

    // same bytes, other manifest: also immutable
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(DEMO, '1.0.0/model.onnx')));
    const other = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(other.code, 'VERSION_EXISTS');
    assert.match(other.detail, /another manifest/);

    const events = await listAudit(s.server.runtime.db.db, { limit: 10, model: 'breast-cancer' });
    assert.deepEqual(
      events.map((e) => [e.action, e.version, e.principal]),
      [['model.version.registered', '1.0.0', `key:${s.adminKey.split('_')[1]}`]],
    );
  });

  it('registers a model with external data as one set, hashing every file', async (t) => {
    const s = await startTestServer(t, { dialect });
    const dir = join(FIXTURES, 'wine-mlp-external');
    const r = await s.admin.registerVersion(join(dir, 'manifest.yaml'));
    const files = r.version.files.map((f) => [f.path, f.sha256, f.role]);
    assert.deepEqual(files, [
      ['model.onnx', sha256(join(dir, 'model.onnx')), 'model'],
      ['model.onnx.data', sha256(join(dir, 'model.onnx.data')), 'external_data'],
    ]);
    const listing = [...files]
      .sort()
      .map(([p, h]) => `${h}  ${p}\n`)
      .join('');
    assert.equal(
      r.version.artifact_sha256,
      createHash('sha256').update(listing).digest('hex'),
      'digest of the sha256sum listing',
    );
    const p = await s.admin.predict('wine', [], { version: '1.0.0' }).catch((e: unknown) => e);
    assert.ok(p instanceof ModelgateApiError && p.code === 'VALIDATION_FAILED', 'empty instances refused');
  });

  it('refuses a set whose external data file is missing or not referenced', async (t) => {
    const s = await startTestServer(t, { dialect });
    const dir = mkdtempSync(join(tmpdir(), 'mg-ext-'));
    cpSync(join(FIXTURES, 'wine-mlp-external'), dir, { recursive: true });
    const manifest = readFileSync(join(dir, 'manifest.yaml'), 'utf8');
    writeFileSync(join(dir, 'manifest.yaml'), manifest.replace(/external_data:\n- model.onnx.data\n/, ''));
    const missing = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(missing.code, 'ARTIFACT_INVALID');
    assert.match(missing.detail, /needs external data file 'model.onnx.data'/);

    writeFileSync(join(dir, 'extra.bin'), 'x');
    writeFileSync(
      join(dir, 'manifest.yaml'),
      manifest.replace('- model.onnx.data', '- model.onnx.data\n- extra.bin'),
    );
    const extra = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(extra.code, 'ARTIFACT_INVALID');
    assert.match(extra.detail, /'extra.bin' is in the artifact set but the model does not reference it/);
    assert.deepEqual(await s.admin.listModels(), [], 'nothing registered');
  });

  it('refuses broken manifests and artifacts with 422 and a pointer, storing nothing', async (t) => {
    const s = await startTestServer(t, { dialect });
    const dir = mkdtempSync(join(tmpdir(), 'mg-bad-'));
    cpSync(join(DEMO, '1.0.0'), dir, { recursive: true });
    const manifest = readFileSync(join(dir, 'manifest.yaml'), 'utf8');

    writeFileSync(join(dir, 'manifest.yaml'), manifest.replace('version: 1.0.0', 'version: one'));
    const bad = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(bad.status, 422);
    assert.equal(bad.code, 'MANIFEST_INVALID');
    assert.deepEqual(bad.errors[0], {
      pointer: '/version',
      detail: "'one' is not a semantic version (for example 1.4.0)",
    });

    writeFileSync(
      join(dir, 'manifest.yaml'),
      manifest.replace('      malignant: 1.0', '      malignant: 0.5'),
    );
    const smoke = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(smoke.code, 'SMOKE_TEST_FAILED');
    assert.equal(smoke.errors[0]?.pointer, '/smoke_tests/0/expected/probabilities/malignant');

    writeFileSync(
      join(dir, 'manifest.yaml'),
      manifest.replace(/- name: worst_fractal_dimension[\s\S]*?description: worst fractal dimension\n/, ''),
    );
    const columns = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(columns.code, 'ARTIFACT_INVALID');
    assert.match(columns.detail, /input 'input' has 30 columns but the manifest lists 29 features/);

    writeFileSync(join(dir, 'manifest.yaml'), manifest);
    writeFileSync(join(dir, 'model.onnx'), 'this is not onnx');
    const garbage = await apiError(s.admin.registerVersion(join(dir, 'manifest.yaml')));
    assert.equal(garbage.code, 'ARTIFACT_INVALID');

    const zipmap = await apiError(s.admin.registerVersion(join(FIXTURES, 'zipmap-output/manifest.yaml')));
    assert.equal(zipmap.code, 'ARTIFACT_INVALID');
    assert.match(zipmap.detail, /ZipMap/);
    assert.deepEqual(await s.admin.listModels(), []);
  });

  it('profiles the reference data at registration, refuses bad reference data, and keeps it immutable', async (t) => {
    const s = await startTestServer(t, { dialect });
    const manifest = readFileSync(demo('1.0.0'), 'utf8');
    const onnx = new Blob([readFileSync(join(DEMO, '1.0.0/model.onnx'))]);
    const reference = readFileSync(join(DEMO, '1.0.0/reference.csv'), 'utf8');
    const send = (csv: string | undefined) => {
      const form = new FormData();
      form.append('manifest', manifest);
      form.append('file', onnx, 'model.onnx');
      if (csv !== undefined) form.append('file', new Blob([csv]), 'reference.csv');
      return raw(s, 'POST', '/v1/models/breast-cancer/versions', { body: form });
    };
    const missing = await send(undefined);
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.json.errors[0], {
      pointer: '/reference_data',
      detail: "file 'reference.csv' was not provided",
    });
    const [header, ...rows] = reference.trim().split('\n');
    const badCell = await send([header, rows[0], rows[1]!.replace(/^[^,]+/, 'twelve')].join('\n'));
    assert.equal(badCell.json.code, 'MANIFEST_INVALID');
    assert.match(
      badCell.json.detail,
      /reference data 'reference.csv': row 2, column mean_radius: 'twelve' is not a number/,
    );
    const outOfRange = await send([header, rows[0]!.replace(/^[^,]+/, '75.2')].join('\n'));
    assert.match(
      outOfRange.json.detail,
      /reference data 'reference.csv', row 1: \/mean_radius must be <= 60/,
    );

    const ok = await send(reference);
    assert.equal(ok.status, 201, ok.text);
    const stored = await s.server.runtime.services.registry.getReference('breast-cancer', '1.0.0');
    assert.equal(stored?.rows, 426);
    assert.equal(stored?.dataSha256, createHash('sha256').update(reference).digest('hex'));
    assert.equal(stored?.profile.features.mean_radius?.kind, 'numeric');
    assert.equal(stored?.profile.prediction.kind, 'numeric', 'the probability of malignant');
    // the same version with other reference data is another version: refused
    const other = await send([header, ...rows.slice(1)].join('\n'));
    assert.equal(other.status, 409);
    assert.match(other.json.detail, /registered with reference data [0-9a-f]{64}; this one has [0-9a-f]{64}/);
    assert.equal((await send(reference)).status, 200, 'the same bytes again: the existing version');
  });

  it('refuses uploads that do not match the manifest or the path', async (t) => {
    const s = await startTestServer(t, { dialect });
    const manifest = readFileSync(demo('1.0.0'), 'utf8');
    const onnx = new Blob([readFileSync(join(DEMO, '1.0.0/model.onnx'))]);
    const send = (form: FormData, model = 'breast-cancer') =>
      raw(s, 'POST', `/v1/models/${model}/versions`, { body: form });

    const noFile = new FormData();
    noFile.append('manifest', manifest);
    const r1 = await send(noFile);
    assert.equal(r1.status, 422);
    assert.deepEqual(r1.json.errors[0], {
      pointer: '/artifact',
      detail: "file 'model.onnx' was not provided",
    });

    const wrongName = new FormData();
    wrongName.append('manifest', manifest);
    wrongName.append('file', onnx, 'model.onnx');
    const r2 = await send(wrongName, 'other-model');
    assert.equal(r2.status, 422);
    assert.match(r2.json.detail, /names model 'breast-cancer', but the request is for 'other-model'/);

    const traversal = new FormData();
    traversal.append('manifest', manifest);
    traversal.append('file', onnx, '../model.onnx');
    const r3 = await send(traversal);
    assert.equal(r3.status, 422);
    assert.match(r3.json.detail, /plain relative path/);

    const json = await raw(s, 'POST', '/v1/models/breast-cancer/versions', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(json.status, 415);
    assert.equal(json.json.code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('promotes and rolls back atomically, auditing each move', async (t) => {
    const s = await startTestServer(t, { dialect });
    await s.admin.registerVersion(demo('1.0.0'));
    await s.admin.registerVersion(demo('1.1.0'));
    const noProd = await apiError(s.admin.predict('breast-cancer', example.instances));
    assert.equal(noProd.status, 503);
    assert.equal(noProd.code, 'MODEL_NOT_READY');
    assert.match(noProd.detail, /no production version; promote one/);
    assert.equal((await apiError(s.admin.rollback('breast-cancer'))).code, 'NO_PREVIOUS_VERSION');

    assert.deepEqual((await s.admin.promote('breast-cancer', '1.0.0')).aliases, { production: '1.0.0' });
    assert.equal((await s.admin.predict('breast-cancer', example.instances)).version, '1.0.0');
    assert.equal(
      (await s.admin.promote('breast-cancer', '1.0.0')).changed,
      false,
      'promoting the production version is a no-op',
    );
    assert.deepEqual((await s.admin.promote('breast-cancer', '1.1.0')).aliases, {
      production: '1.1.0',
      previous: '1.0.0',
    });
    assert.equal((await s.admin.predict('breast-cancer', example.instances)).version, '1.1.0');
    assert.deepEqual((await s.admin.rollback('breast-cancer')).aliases, {
      production: '1.0.0',
      previous: '1.1.0',
    });
    assert.equal((await s.admin.predict('breast-cancer', example.instances)).version, '1.0.0');
    assert.deepEqual((await s.admin.setAlias('breast-cancer', 'staging', '1.1.0')).aliases, {
      production: '1.0.0',
      previous: '1.1.0',
      staging: '1.1.0',
    });
    const v = await s.admin.getVersion('breast-cancer', '1.1.0');
    assert.deepEqual(v.aliases.sort(), ['previous', 'staging']);
    assert.equal((await apiError(s.admin.promote('breast-cancer', '3.0.0'))).code, 'VERSION_NOT_FOUND');
    assert.equal((await apiError(s.admin.promote('no-such-model', '1.0.0'))).code, 'MODEL_NOT_FOUND');
    const setProd = await raw(s, 'PUT', '/v1/models/breast-cancer/aliases/production', {
      body: '{"version":"1.1.0"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(setProd.status, 422);

    const events = await listAudit(s.server.runtime.db.db, { limit: 20, model: 'breast-cancer' });
    const moves = events.filter((e) => e.action !== 'model.version.registered').reverse();
    assert.deepEqual(
      moves.map((e) => [e.action, e.before, e.after]),
      [
        ['model.promoted', {}, { production: '1.0.0' }],
        ['model.promoted', { production: '1.0.0' }, { production: '1.1.0', previous: '1.0.0' }],
        [
          'model.rolled_back',
          { production: '1.1.0', previous: '1.0.0' },
          { production: '1.0.0', previous: '1.1.0' },
        ],
        [
          'model.alias.set',
          { production: '1.0.0', previous: '1.1.0' },
          { production: '1.0.0', previous: '1.1.0', staging: '1.1.0' },
        ],
      ],
    );
  });

  it('refuses a tampered artifact with a clear error while the serving version keeps serving', async (t) => {
    const s = await startTestServer(t, { dialect });
    await s.admin.registerVersion(demo('1.0.0'));
    const v11 = await s.admin.registerVersion(demo('1.1.0'));
    await s.admin.promote('breast-cancer', '1.0.0');
    await tamperBlob(s, v11.version.artifact_sha256);

    const verify = await s.admin.verify('breast-cancer', '1.1.0');
    assert.equal(verify.ok, false);
    assert.notEqual(verify.files[0]!.actual, verify.files[0]!.expected);

    const refused = await apiError(s.admin.promote('breast-cancer', '1.1.0'));
    assert.equal(refused.status, 409);
    assert.equal(refused.code, 'ARTIFACT_INTEGRITY_FAILED');
    assert.match(
      refused.detail,
      new RegExp(
        `breast-cancer 1.1.0 \\(model.onnx\\) has SHA-256 [0-9a-f]{64}, but ${v11.version.artifact_sha256} was registered`,
      ),
    );
    assert.deepEqual((await s.admin.getModel('breast-cancer')).aliases, { production: '1.0.0' });
    const answer = await s.admin.predict('breast-cancer', example.instances);
    assert.equal(answer.version, '1.0.0', 'the old version keeps serving');
    const pinned = await apiError(s.admin.predict('breast-cancer', example.instances, { version: '1.1.0' }));
    assert.equal(pinned.code, 'ARTIFACT_INTEGRITY_FAILED');
    assert.equal((await s.admin.verify('breast-cancer', '1.0.0')).ok, true);
  });
});
