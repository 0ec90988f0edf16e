import { describe, type TestContext } from 'node:test';
import { describeEachDatabase, testDatabase } from '../helpers/databases.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { FakeRolloutStore } from '../../src/modules/rollouts/fake-rollout-store.js';
import { rolloutStoreContract } from '../../src/modules/rollouts/rollout-store.contract.js';
import { SqlRolloutStore } from '../../src/modules/rollouts/sql-rollout-store.js';

describe('FakeRolloutStore', () => rolloutStoreContract(() => Promise.resolve(new FakeRolloutStore())));

describeEachDatabase('SqlRolloutStore', (dialect) => {
  rolloutStoreContract(async (ctx: TestContext) => {
    const t = await testDatabase(dialect, ctx);
    const handle = openDatabase({
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    });
    ctx.after(() => handle.close());
    await migrate(handle);
    return new SqlRolloutStore(handle.db, handle.dialect);
  });
});
