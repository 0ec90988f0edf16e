// Drift over several replicas: two runtimes in one process on one PostgreSQL schema, each seeing
// part of the traffic. Once both have published, either one's drift report (and its gauges)
// describes all rows: bin counts add up.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadConfig } from '../../src/config/load-config.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import type { DriftReport } from '../../src/modules/monitoring/drift-report-data.js';
import { registerFromManifestFile } from '../../src/modules/registry/register-from-files.js';
import { createLogger } from '../../src/shared/logger.js';
import { pgTestUrl, testDatabase } from '../helpers/databases.js';
import { demoRows } from '../helpers/demo-data.js';
import { parse } from '../helpers/prom-text.js';
import { DEMO } from '../helpers/server.js';

async function replicas(t: TestContext) {
  const db = await testDatabase('postgres', t);
  const start = async (id: string): Promise<Runtime> => {
    const config = loadConfig({
      env: {
        MODELGATE_HOME: db.home,
        MODELGATE_REPLICA_ID: id,
        MODELGATE_DRIFT_MIN_SAMPLES: '50',
        DATABASE_URL: db.databaseUrl!,
      },
    });
    const runtime = await createRuntime(config, {
      logger: createLogger({ level: 'silent' }),
      pgSchema: db.pgSchema!,
      rolloutLoops: false,
    });
    t.after(() => runtime.close());
    return runtime;
  };
  const a = await start('replica-a');
  const b = await start('replica-b');
  const s = a.services;
  const actor = { id: 'test' };
  await registerFromManifestFile(s.registry, join(DEMO, '1.0.0/manifest.yaml'), actor, s.stagingDir, 1e9);
  await s.registry.promote('breast-cancer', '1.0.0', actor);
  return { a, b };
}

/** Predicts rows on a replica and feeds its drift monitor, as the predict route does. */
async function serve(r: Runtime, rows: Array<Record<string, number>>): Promise<void> {
  const { predict, drift } = r.services;
  for (let i = 0; i < rows.length; i += 20) {
    const instances = rows.slice(i, i + 20);
    // pinned: B learns of A's promotion only through change propagation (another branch)
    const result = await predict.predict({ model: 'breast-cancer', version: '1.0.0', instances });
    drift.observe(result.model, result.version, instances, result.predictions);
  }
}

/** Live counts per bin of each column (shares × rows). */
const counts = (r: DriftReport) =>
  Object.fromEntries(r.columns.map((c) => [c.feature, c.bins.map((b) => b.live * r.window.rows)]));

describe(
  'drift windows over two replicas',
  { skip: pgTestUrl() ? false : 'MODELGATE_TEST_DATABASE_URL is not set' },
  () => {
    it('reports and exports the sum of both replicas’ windows', async (t) => {
      const { a, b } = await replicas(t);
      const rows = demoRows('test.csv');
      await serve(a, rows.slice(0, 60));
      await serve(b, rows.slice(60));
      const aAlone = await a.services.drift.report('breast-cancer', '1.0.0');
      const bAlone = await b.services.drift.report('breast-cancer', '1.0.0');
      assert.equal(aAlone.window.rows, 60);
      assert.equal(bAlone.window.rows, rows.length - 60);

      for (const r of [a, b]) {
        await r.services.rollouts.publish(); // the heartbeat
        await r.services.drift.publish();
      }
      const fromA = await a.services.drift.report('breast-cancer', '1.0.0');
      const fromB = await b.services.drift.report('breast-cancer', '1.0.0');
      assert.equal(fromA.window.rows, rows.length);
      assert.equal(fromB.window.rows, rows.length);
      const [ca, cb, c1, c2] = [counts(fromA), counts(fromB), counts(aAlone), counts(bAlone)];
      for (const feature of Object.keys(ca)) {
        ca[feature]!.forEach((n, i) => {
          const sum = c1[feature]![i]! + c2[feature]![i]!;
          assert.ok(Math.abs(n - sum) < 1e-6, `${feature} bin ${i}: ${n} vs ${sum}`);
          assert.ok(Math.abs(cb[feature]![i]! - sum) < 1e-6);
        });
      }
      assert.equal(
        fromA.columns.reduce((n, c) => n + c.bins.length, 0) > 100,
        true,
        'every feature and the prediction',
      );
      const metrics = parse(await a.services.observability.metrics.registry.metrics());
      assert.equal(
        metrics.value('modelgate_drift_window_rows', { model: 'breast-cancer', version: '1.0.0' }),
        rows.length,
      );
    });
  },
);
