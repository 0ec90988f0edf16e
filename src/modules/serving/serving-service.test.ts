import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { AppError } from '../../shared/errors.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { Aliases, ModelVersion } from '../registry/types.js';
import type { LoadedModel } from './loaded-model.js';
import { RuntimePool } from './runtime-pool.js';
import { ServingService, type ServingRegistry } from './serving-service.js';

const logger = pino({ level: 'silent' });

/** The registry's aliases in memory; versions exist for any number asked. */
class FakeRegistry implements ServingRegistry {
  readonly aliases = new Map<string, Aliases>();
  getAliases(model: string): Promise<Aliases> {
    return Promise.resolve({ ...this.aliases.get(model) });
  }
  allAliases(): Promise<Map<string, Aliases>> {
    return Promise.resolve(new Map([...this.aliases].map(([m, a]) => [m, { ...a }])));
  }
  getVersion(model: string, version: string): Promise<ModelVersion | undefined> {
    return Promise.resolve({ model, version } as ModelVersion);
  }
}

/** Loads that the test releases (or fails) by hand, counted per version. */
class FakeLoader {
  readonly loads = new Map<string, number>();
  readonly pending = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  /** versions whose load fails at once */
  readonly broken = new Set<string>();
  /** when false, loads finish at once */
  manual = false;

  load = (v: ModelVersion): Promise<LoadedModel> => {
    const key = `${v.model}@${v.version}`;
    this.loads.set(key, (this.loads.get(key) ?? 0) + 1);
    const model = {
      identity: { model: v.model, version: v.version, artifactSha256: 'x', task: 'regression' },
      release: () => Promise.resolve(),
    } as unknown as LoadedModel;
    if (this.broken.has(key))
      return Promise.reject(new AppError('ARTIFACT_INTEGRITY_FAILED', `${key} does not match its hash`));
    if (!this.manual) return Promise.resolve(model);
    return new Promise((resolve, reject) => this.pending.set(key, { resolve: () => resolve(model), reject }));
  };

  async finish(key: string): Promise<void> {
    while (!this.pending.has(key)) await new Promise((r) => setImmediate(r));
    this.pending.get(key)!.resolve();
    this.pending.delete(key);
  }
}

async function setup(production = '1.0.0') {
  const registry = new FakeRegistry();
  const loader = new FakeLoader();
  const serving = new ServingService({
    store: registry,
    blobs: {} as BlobStore,
    pool: new RuntimePool(loader.load, 10, logger),
    threads: 1,
    logger,
  });
  registry.aliases.set('m', { production });
  await serving.syncAll();
  return { registry, loader, serving };
}

const state = (s: ServingService) => {
  const r = s.readiness();
  return { ready: r.ready, ...r.models[0] };
};

describe('ServingService.refresh (a change made by another replica)', () => {
  it('loads the new version while the old one answers, then switches', async () => {
    const { registry, loader, serving } = await setup();
    registry.aliases.set('m', { production: '1.1.0', previous: '1.0.0' });
    loader.manual = true;
    const done = serving.refresh('m');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(state(serving), {
      ready: false,
      name: 'm',
      version: '1.1.0',
      serving: '1.0.0',
      state: 'loading',
    });
    assert.equal(serving.production('m')?.identity.version, '1.0.0', 'requests still go to 1.0.0');
    await loader.finish('m@1.1.0');
    await done;
    assert.deepEqual(state(serving), {
      ready: true,
      name: 'm',
      version: '1.1.0',
      serving: '1.1.0',
      state: 'ready',
    });
    assert.equal(serving.production('m')?.identity.version, '1.1.0');
  });

  it('concurrent refreshes of one model load the version once and agree', async () => {
    const { registry, loader, serving } = await setup();
    registry.aliases.set('m', { production: '1.1.0', previous: '1.0.0' });
    loader.manual = true;
    const all = Promise.all([serving.refresh('m'), serving.refresh('m'), serving.reconcile()]);
    await loader.finish('m@1.1.0');
    await all;
    assert.equal(loader.loads.get('m@1.1.0'), 1);
    assert.equal(serving.production('m')?.identity.version, '1.1.0');
  });

  it('a version that cannot load: the old one keeps answering, the route is failed until a retry works', async () => {
    const { registry, loader, serving } = await setup();
    loader.broken.add('m@1.1.0');
    registry.aliases.set('m', { production: '1.1.0', previous: '1.0.0' });
    await serving.refresh('m');
    assert.deepEqual(state(serving), {
      ready: false,
      name: 'm',
      version: '1.1.0',
      serving: '1.0.0',
      state: 'failed',
      error: 'ARTIFACT_INTEGRITY_FAILED: m@1.1.0 does not match its hash',
    });
    assert.equal(serving.production('m')?.identity.version, '1.0.0');
    // the reconcile retries a failed route; once the version loads, it serves
    loader.broken.clear();
    assert.deepEqual(await serving.reconcile(), ['m']);
    assert.deepEqual(state(serving), {
      ready: true,
      name: 'm',
      version: '1.1.0',
      serving: '1.1.0',
      state: 'ready',
    });
  });

  it('an unchanged model is left alone; only aliases that differ are refreshed', async () => {
    const { registry, loader, serving } = await setup();
    registry.aliases.set('n', { production: '2.0.0' });
    assert.deepEqual(await serving.reconcile(), ['n']);
    assert.deepEqual(await serving.reconcile(), []);
    await serving.refresh('m');
    assert.equal(loader.loads.get('m@1.0.0'), 1);
    assert.equal(serving.production('n')?.identity.version, '2.0.0');
  });

  it('staging moves without a load; production cleared elsewhere stops serving', async () => {
    const { registry, loader, serving } = await setup();
    registry.aliases.set('m', { production: '1.0.0', staging: '1.2.0' });
    await serving.refresh('m');
    assert.equal(serving.route('m')?.aliases.staging, '1.2.0');
    assert.equal(loader.loads.get('m@1.2.0'), undefined);
    assert.equal(state(serving).state, 'ready');
    registry.aliases.delete('m');
    assert.deepEqual(await serving.reconcile(), ['m']);
    assert.equal(serving.production('m'), undefined);
    assert.equal(serving.route('m')?.state, 'no-production');
    assert.deepEqual(serving.readiness(), { ready: true, models: [] });
  });

  it('a warm hint loads the candidate ahead without changing what serves', async () => {
    const { loader, serving } = await setup();
    await serving.warm('m', '1.1.0');
    assert.equal(loader.loads.get('m@1.1.0'), 1);
    assert.equal(serving.production('m')?.identity.version, '1.0.0', 'a hint changes nothing served');
    assert.ok(serving.cached('m', '1.1.0'));
  });
});
