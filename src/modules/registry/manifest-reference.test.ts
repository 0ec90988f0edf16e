import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  FULL_EXAMPLE,
  KEY_DOCS,
  misuseError,
  replaceManifestReference,
  schemaKeyPaths,
} from './manifest-reference.js';
import { validateManifest } from './validate-manifest.js';

const DOC = new URL('../../../docs/manifest.md', import.meta.url);

describe('manifest reference (docs/manifest.md)', () => {
  it('documents exactly the keys of the schema the server validates with', () => {
    assert.deepEqual(
      Object.keys(KEY_DOCS).sort(),
      schemaKeyPaths()
        .map((k) => k.path)
        .sort(),
    );
  });

  it('has a full example that registers as is', () => {
    assert.equal(validateManifest(structuredClone(FULL_EXAMPLE)).name, 'credit-risk');
  });

  it("shows the validator's own answer to each misuse", () => {
    assert.equal(
      misuseError('version', 'v2'),
      "MANIFEST_INVALID: /version: 'v2' is not a semantic version (for example 1.4.0)",
    );
    assert.equal(misuseError('name', 'omit'), 'MANIFEST_INVALID: /name: is required');
    assert.throws(() => misuseError('description', 'a fine description'), /passed validation/);
  });

  it('is what docs/manifest.md says (npm run docs:manifest)', () => {
    const doc = readFileSync(DOC, 'utf8');
    assert.equal(doc, replaceManifestReference(doc));
  });
});
