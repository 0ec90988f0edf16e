import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SchemaEnv } from 'ajv/dist/compile/index.js';
import { parse } from 'yaml';
import type { Manifest } from '../registry/manifest.js';
import { createLoadedModel } from './create-loaded-model.js';

const DEMO = new URL('../../../models/demo/breast-cancer/1.0.0/', import.meta.url);
const manifest = parse(readFileSync(new URL('manifest.yaml', DEMO), 'utf8')) as Manifest;
const files = new Map([['model.onnx', readFileSync(new URL('model.onnx', DEMO))]]);

// A full, synchronous collection on demand: the same as running node with --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after full collections (twice: the first may leave objects freed by finalizers). */
function heapUsed(): number {
  gc();
  gc();
  return v8.getHeapStatistics().used_heap_size;
}

/** Compiled Ajv schemas alive in the heap (queryObjects collects garbage first). */
const compiledSchemas = () => v8.queryObjects(SchemaEnv, { format: 'count' });

async function loadAndUnload(i: number): Promise<void> {
  const model = await createLoadedModel({
    identity: { model: 'breast-cancer', version: `1.0.${i}`, artifactSha256: 'x', task: manifest.task },
    manifest: { ...manifest, version: `1.0.${i}` },
    files,
    mainPath: 'model.onnx',
    threads: 1,
  });
  assert.equal(model.validate([{}]).length, 30, 'the version validates with its own schema');
  await model.release();
}

describe('compiled instance validators', () => {
  it('are released with their version: 200 loads and unloads keep no validator and no heap', async () => {
    // the first load brings in everything loaded once per process (modules, ONNX Runtime bindings)
    await loadAndUnload(0);
    const schemasBefore = compiledSchemas();
    const heapBefore = heapUsed();

    for (let i = 1; i <= 200; i++) await loadAndUnload(i);

    const schemasAfter = compiledSchemas();
    const heapAfter = heapUsed();
    assert.ok(
      schemasAfter <= schemasBefore,
      `compiled schemas: ${schemasBefore} before, ${schemasAfter} after 200 unloaded versions`,
    );
    assert.ok(
      heapAfter <= heapBefore * 1.1,
      `heap in use: ${(heapBefore / 2 ** 20).toFixed(1)} MiB before, ${(heapAfter / 2 ** 20).toFixed(1)} MiB after`,
    );
  });
});
