// Rewrites the key reference in docs/manifest.md from the manifest schema: npm run docs:manifest
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceManifestReference } from '../src/modules/registry/manifest-reference.js';

const path = new URL('../docs/manifest.md', import.meta.url);
writeFileSync(path, replaceManifestReference(readFileSync(path, 'utf8')));
console.log('docs/manifest.md key reference updated');
