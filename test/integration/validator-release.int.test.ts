import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SchemaEnv } from 'ajv/dist/compile/index.js';
import { parse } from 'yaml';
import type { Manifest } from '../../src/modules/registry/manifest.js';
import { pino } from 'pino';
import type { ModelVersion } from '../../src/modules/registry/types.js';
import { createLoadedModel } from '../../src/modules/serving/create-loaded-model.js';
import { RuntimePool } from '../../src/modules/serving/runtime-pool.js';

const DEMO = new URL('../../models/demo/breast-cancer/1.0.0/', import.meta.url);
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

const loadVersion = async (v: ModelVersion) =>
  createLoadedModel({
    identity: { model: v.model, version: v.version, artifactSha256: 'x', task: manifest.task },
    manifest: { ...manifest, version: v.version },
    files,
    mainPath: 'model.onnx',
    threads: 1,
  });
const version = (i: number) => ({ model: 'breast-cancer', version: `1.0.${i}` }) as ModelVersion;

/** Evicted versions are released in the background: give those releases a few turns to finish. */
async function settled(count: () => number, target: number): Promise<number> {
  for (let turn = 0; turn < 20 && count() > target; turn++) await new Promise(setImmediate);
  return count();
}

describe('compiled instance validators', () => {
  it('are released with their version: 200 versions loaded and evicted keep no validator and no heap', async () => {
    // one version loaded at a time: every load evicts (unloads) the one before
    const pool = new RuntimePool(loadVersion, 1, pino({ level: 'silent' }));
    // the first load brings in everything loaded once per process (modules, ONNX Runtime bindings)
    const problems = (await pool.acquire(version(0))).validate([{}]);
    assert.equal(problems.length, 30, 'the version validates with its own schema');
    const schemasBefore = compiledSchemas();
    const heapBefore = heapUsed();

    for (let i = 1; i <= 200; i++) await pool.acquire(version(i));
    assert.deepEqual(
      pool.loaded().map((m) => m.identity.version),
      ['1.0.200'],
    );

    const schemasAfter = await settled(compiledSchemas, schemasBefore);
    const heapAfter = heapUsed();
    await pool.close();
    assert.ok(
      schemasAfter <= schemasBefore,
      `compiled schemas: ${schemasBefore} before, ${schemasAfter} after 200 versions were unloaded`,
    );
    assert.ok(
      heapAfter <= heapBefore * 1.1,
      `heap in use: ${(heapBefore / 2 ** 20).toFixed(1)} MiB before, ${(heapAfter / 2 ** 20).toFixed(1)} MiB after`,
    );
  });
});
