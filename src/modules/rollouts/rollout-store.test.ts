import { describe, type TestContext } from 'node:test';
import { describeEachDatabase, testDatabase } from '../../../test/helpers/databases.js';
import { openDatabase } from '../../store/database.js';
import { migrate } from '../../store/migrate.js';
import { FakeRolloutStore } from './fake-rollout-store.js';
import { rolloutStoreContract } from './rollout-store.contract.js';
import { SqlRolloutStore } from './sql-rollout-store.js';

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
