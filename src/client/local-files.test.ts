import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { manifestUpload, ModelgateLocalError } from './local-files.js';

const DEMO = new URL('../../models/demo/breast-cancer/1.0.0/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mg-manifest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

async function failure(path: string): Promise<ModelgateLocalError> {
  try {
    await manifestUpload(path);
  } catch (err) {
    if (err instanceof ModelgateLocalError) return err;
    throw err;
  }
  throw new Error('expected a ModelgateLocalError');
}

describe('manifestUpload', () => {
  it('refuses a model file given instead of its manifest, without printing its bytes', async () => {
    const e = await failure(join(DEMO, 'model.onnx'));
    assert.equal(e.code, 'MANIFEST_INVALID');
    assert.equal(
      e.detail,
      `${join(DEMO, 'model.onnx')} is not a manifest (binary content); give the YAML or JSON manifest that lists the model file`,
    );
  });

  it('names the file, line and column of a YAML syntax error, on one line', async () => {
    const path = write('bad.yaml', 'name: churn\nversion: 1.0.0\nartifact: a: b\n');
    const e = await failure(path);
    assert.equal(e.code, 'MANIFEST_INVALID');
    assert.equal(e.detail, `${path}:3:11: Nested mappings are not allowed in compact mappings`);
    const json = write('bad.json', '{"name": "churn",\n  "artifact": "m.onnx",,\n}');
    assert.match((await failure(json)).detail, new RegExp(`^${json}:2:\\d+: [^\\n]+$`));
  });

  it('names a missing manifest, and a listed file that is missing with where it is listed', async () => {
    const gone = await failure(join(dir, 'nope.yaml'));
    assert.deepEqual([gone.code, gone.detail], ['FILE_NOT_FOUND', `${join(dir, 'nope.yaml')}: no such file`]);
    const path = write('m.yaml', 'name: churn\nartifact: missing.onnx\n');
    const e = await failure(path);
    assert.equal(e.code, 'FILE_NOT_FOUND');
    assert.equal(e.detail, `${join(dir, 'missing.onnx')} (listed as 'artifact' in m.yaml): no such file`);
    mkdirSync(join(dir, 'ref.csv'));
    copyFileSync(join(DEMO, 'model.onnx'), join(dir, 'model.onnx'));
    const withRef = write('r.yaml', 'name: churn\nartifact: model.onnx\nreference_data: ref.csv\n');
    const isDir = await failure(withRef);
    assert.deepEqual(
      [isDir.code, isDir.detail],
      [
        'FILE_ERROR',
        `${join(dir, 'ref.csv')} (listed as 'reference_data' in r.yaml): is a directory, not a file`,
      ],
    );
  });

  it("asks for 'name' and 'artifact' when the YAML is not a manifest", async () => {
    for (const text of ['hello\n', '', '- a\n- b\n', 'name: churn\n']) {
      const path = write('x.yaml', text);
      const e = await failure(path);
      assert.deepEqual(
        [e.code, e.detail],
        ['MANIFEST_INVALID', `${path} must name the model ('name') and its file ('artifact')`],
      );
    }
  });

  it('uploads the manifest text and every listed file under its listed name', async () => {
    const { name, form } = await manifestUpload(join(DEMO, 'manifest.yaml'));
    assert.equal(name, 'breast-cancer');
    assert.deepEqual(
      form.getAll('file').map((f) => (f as File).name),
      ['model.onnx', 'reference.csv'],
    );
    assert.match(form.get('manifest') as string, /^name: breast-cancer\n/);
  });
});
