import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { pino } from 'pino';
import { sha256Hex, stageStream, type BlobStore } from '../../store/blob-store.js';
import { FileBlobStore } from '../../store/file-blob-store.js';
import type { ModelVersion } from '../registry/types.js';
import { ArtifactIntegrityCheck, type IntegrityResult } from './artifact-integrity.js';
import type { VersionIdentity } from './loaded-model.js';

/** A file blob store in a temp dir holding `blobs`, and one registered version per blob. */
async function setup(t: TestContext, blobs: Record<string, Buffer>) {
  const home = mkdtempSync(join(tmpdir(), 'modelgate-integrity-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const store = new FileBlobStore(join(home, 'artifacts'));
  const versions = new Map<string, ModelVersion>();
  for (const [version, bytes] of Object.entries(blobs)) {
    const staged = await stageStream(Readable.from([bytes]), join(home, 'staging'), 1e9, 'x');
    await store.put(staged);
    const file = { path: 'model.onnx', sha256: staged.sha256, size: bytes.length, role: 'model' as const };
    versions.set(version, { model: 'm', version, files: [file] } as ModelVersion);
  }
  const tamper = (version: string) => {
    const path = store.pathOf(versions.get(version)!.files[0]!.sha256);
    chmodSync(path, 0o644);
    writeFileSync(path, 'changed on disk');
  };
  return { store, versions, tamper };
}

const identity = (version: string): VersionIdentity => ({
  model: 'm',
  version,
  artifactSha256: 'x',
  task: 'regression',
});

function check(
  blobs: BlobStore,
  versions: Map<string, ModelVersion>,
  loaded: Array<{ identity: VersionIdentity; released: boolean }>,
) {
  const runs: Array<{ results: IntegrityResult[]; loaded: Array<{ model: string; version: string }> }> = [];
  const logged: Array<{ level: string; msg: string; version: unknown }> = [];
  const logger = pino(
    { level: 'warn' },
    {
      write: (line: string) => {
        const j = JSON.parse(line) as { level: number; msg: string; version: unknown };
        logged.push({ level: pino.levels.labels[j.level]!, msg: j.msg, version: j.version });
      },
    },
  );
  const integrity = new ArtifactIntegrityCheck({
    loaded: () => loaded,
    versions: { getVersion: (_m, v) => Promise.resolve(versions.get(v)) },
    blobs,
    logger,
    onRun: (results, l) => runs.push({ results, loaded: l }),
  });
  return { integrity, runs, logged };
}

describe('ArtifactIntegrityCheck', () => {
  it('re-hashes the stored artifact of every loaded version and reports a changed one', async (t) => {
    const { store, versions, tamper } = await setup(t, {
      '1.0.0': Buffer.from('model one'),
      '2.0.0': Buffer.from('model two'),
      '3.0.0': Buffer.from('model three'),
    });
    const loaded = [
      { identity: identity('1.0.0'), released: false },
      { identity: identity('2.0.0'), released: false },
      { identity: identity('3.0.0'), released: true },
    ];
    const { integrity, runs, logged } = check(store, versions, loaded);

    const first = await integrity.run();
    assert.deepEqual(
      first.map((r) => [r.version, r.ok]),
      [
        ['1.0.0', true],
        ['2.0.0', true],
      ],
      'released versions are not checked',
    );
    tamper('2.0.0');
    const second = await integrity.run();
    assert.deepEqual(
      second.map((r) => [r.version, r.ok]),
      [
        ['1.0.0', true],
        ['2.0.0', false],
      ],
    );
    assert.equal(second[1]!.files[0]!.actual, sha256Hex('changed on disk'));
    assert.deepEqual(runs[1]!.loaded, [
      { model: 'm', version: '1.0.0' },
      { model: 'm', version: '2.0.0' },
    ]);
    assert.deepEqual(logged, [
      { level: 'error', msg: 'stored artifact no longer matches its registered hash', version: '2.0.0' },
    ]);
  });

  it('streams the stored bytes, never reading an artifact whole, and lets the event loop turn', async (t) => {
    const bytes = Buffer.alloc(6 * 1024 * 1024 + 5, 7);
    const { store, versions } = await setup(t, { '1.0.0': bytes });
    let chunks = 0;
    const streamingOnly: BlobStore = {
      put: (s) => store.put(s),
      has: (sha) => store.has(sha),
      delete: (sha) => store.delete(sha),
      get: () => Promise.reject(new Error('the integrity check read a whole artifact')),
      stream: async (sha) => {
        const source = await store.stream(sha);
        return (
          source &&
          (async function* () {
            for await (const chunk of source) {
              chunks++;
              yield chunk;
            }
          })()
        );
      },
    };
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const { integrity } = check(streamingOnly, versions, [{ identity: identity('1.0.0'), released: false }]);
    const [result] = await integrity.run();
    ticking = false;
    assert.equal(result!.ok, true);
    assert.equal(chunks, 7, '1 MiB chunks');
    assert.ok(turns >= chunks - 1, `the event loop turned ${turns} times while ${chunks} chunks were hashed`);
  });

  it('reports a missing artifact, and shares one pass between concurrent calls', async (t) => {
    const { store, versions } = await setup(t, { '1.0.0': Buffer.from('model') });
    rmSync(store.pathOf(versions.get('1.0.0')!.files[0]!.sha256));
    const { integrity, runs } = check(store, versions, [{ identity: identity('1.0.0'), released: false }]);
    const [a, b] = await Promise.all([integrity.run(), integrity.run()]);
    assert.equal(a, b);
    assert.equal(runs.length, 1);
    assert.deepEqual(a[0]!.files[0]!.actual, null);
    assert.equal(a[0]!.ok, false);
  });
});
