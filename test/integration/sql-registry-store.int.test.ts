import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { describeEachDatabase, testDatabase } from '../helpers/databases.js';
import { FakeClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { listAudit } from '../../src/modules/audit/audit.js';
import { SqlApiKeyStore } from '../../src/modules/security/api-key-store.js';
import { SqlRegistryStore } from '../../src/modules/registry/sql-registry-store.js';
import { ACTIVE_LIFECYCLE, type ModelVersion } from '../../src/modules/registry/types.js';

function version(model: string, v: string, sha = 'a'.repeat(64)): ModelVersion {
  return {
    model,
    version: v,
    displayId: `${model}-v${v}-20260101-0000`,
    artifactSha256: sha,
    manifestSha256: 'm'.repeat(64),
    files: [{ path: 'model.onnx', sha256: sha, size: 10, role: 'model' }],
    manifest: { name: model, version: v, task: 'regression', artifact: 'model.onnx', changelog: 'c' },
    signature: {
      features: [{ name: 'x', type: 'number', nullable: false }],
      features_inferred: false,
      input_layout: 'matrix',
    },
    task: 'regression',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'key:test',
    lifecycle: ACTIVE_LIFECYCLE,
  };
}

/** The store contract: the same behaviour from SQLite and PostgreSQL. */
describeEachDatabase('registry and key stores', (dialect) => {
  const setup = async (ctx: TestContext) => {
    const t = await testDatabase(dialect, ctx);
    const handle = openDatabase({
      home: t.home,
      databaseUrl: t.databaseUrl,
      ...(t.pgSchema ? { pgSchema: t.pgSchema } : {}),
    });
    await migrate(handle);
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    return {
      handle,
      clock,
      store: new SqlRegistryStore(handle.db, handle.dialect, clock),
      keys: new SqlApiKeyStore(handle.db, clock),
    };
  };

  it('inserts a version once, with its audit event, and reads it back whole', async (t) => {
    const { handle, store } = await setup(t);
    try {
      const v = version('m', '1.0.0');
      assert.equal(
        await store.insertVersion(v, undefined, {
          principal: 'key:a',
          action: 'model.version.registered',
          model: 'm',
          version: '1.0.0',
          after: { x: 1 },
        }),
        true,
      );
      assert.equal(
        await store.insertVersion(v, undefined, {
          principal: 'key:a',
          action: 'model.version.registered',
          model: 'm',
          version: '1.0.0',
        }),
        false,
      );
      assert.deepEqual(await store.getVersion('m', '1.0.0'), v);
      assert.equal(await store.getVersion('m', '9.9.9'), undefined);
      const audit = await listAudit(handle.db, { limit: 10 });
      assert.equal(audit.length, 1, 'no audit event for the no-op insert');
      assert.deepEqual(
        {
          principal: audit[0]!.principal,
          action: audit[0]!.action,
          model: audit[0]!.model,
          version: audit[0]!.version,
          after: audit[0]!.after,
        },
        {
          principal: 'key:a',
          action: 'model.version.registered',
          model: 'm',
          version: '1.0.0',
          after: { x: 1 },
        },
      );
    } finally {
      await handle.close();
    }
  });

  it('lists versions newest first by semver and models with counts', async (t) => {
    const { handle, store } = await setup(t);
    try {
      for (const v of ['1.2.0', '1.10.0', '1.9.1', '2.0.0-rc.1']) {
        await store.insertVersion(version('m', v), undefined, {
          principal: 'p',
          action: 'model.version.registered',
        });
      }
      await store.insertVersion(version('a', '0.1.0'), undefined, {
        principal: 'p',
        action: 'model.version.registered',
      });
      assert.deepEqual(
        (await store.listVersions('m')).map((v) => v.version),
        ['2.0.0-rc.1', '1.10.0', '1.9.1', '1.2.0'],
      );
      const models = await store.listModels();
      assert.deepEqual(
        models.map((m) => [m.name, m.versionCount, m.latestVersion]),
        [
          ['a', 1, '0.1.0'],
          ['m', 4, '2.0.0-rc.1'],
        ],
      );
    } finally {
      await handle.close();
    }
  });

  it('moves aliases by compare-and-set, auditing before and after', async (t) => {
    const { handle, store } = await setup(t);
    try {
      await store.insertVersion(version('m', '1.0.0'), undefined, {
        principal: 'p',
        action: 'model.version.registered',
      });
      await store.insertVersion(version('m', '1.1.0'), undefined, {
        principal: 'p',
        action: 'model.version.registered',
      });
      await store.replaceAliases(
        'm',
        {},
        { production: '1.0.0' },
        {
          principal: 'key:x',
          action: 'model.promoted',
          model: 'm',
          version: '1.0.0',
          before: {},
          after: { production: '1.0.0' },
        },
      );
      await store.replaceAliases(
        'm',
        { production: '1.0.0' },
        { production: '1.1.0', previous: '1.0.0' },
        { principal: 'key:x', action: 'model.promoted', model: 'm' },
      );
      assert.deepEqual(await store.getAliases('m'), { production: '1.1.0', previous: '1.0.0' });
      assert.deepEqual(
        await store.allAliases(),
        new Map([['m', { production: '1.1.0', previous: '1.0.0' }]]),
      );
      await assert.rejects(
        store.replaceAliases(
          'm',
          { production: '1.0.0' },
          { production: '1.0.0' },
          { principal: 'key:x', action: 'model.rolled_back' },
        ),
        (err: unknown) => err instanceof AppError && err.code === 'ALIAS_CONFLICT',
      );
      assert.deepEqual(
        await store.getAliases('m'),
        { production: '1.1.0', previous: '1.0.0' },
        'a lost race changes nothing',
      );
      const audit = await listAudit(handle.db, { limit: 10, model: 'm' });
      assert.deepEqual(
        audit.map((a) => a.action),
        ['model.promoted', 'model.promoted'],
      );
      assert.deepEqual(audit[1]!.before, {});
      assert.deepEqual(audit[1]!.after, { production: '1.0.0' });
    } finally {
      await handle.close();
    }
  });

  it('refuses an alias to a version that does not exist', async (t) => {
    const { handle, store } = await setup(t);
    try {
      await store.insertVersion(version('m', '1.0.0'), undefined, {
        principal: 'p',
        action: 'model.version.registered',
      });
      await assert.rejects(
        store.replaceAliases('m', {}, { production: '7.0.0' }, { principal: 'p', action: 'model.promoted' }),
      );
      assert.deepEqual(await store.getAliases('m'), {});
    } finally {
      await handle.close();
    }
  });

  it('stores API keys by hash, lists them, revokes once', async (t) => {
    const { handle, keys, clock } = await setup(t);
    try {
      const rec = {
        id: 'Abcdefgh1234',
        name: 'ci',
        keyHash: 'h'.repeat(64),
        scopes: ['predict' as const],
        createdAt: clock.now().toISOString(),
        createdBy: 'system',
        revokedAt: null,
      };
      await keys.insert(rec, { principal: 'system', action: 'api_key.created' });
      assert.deepEqual(await keys.get('Abcdefgh1234'), rec);
      assert.equal(await keys.countActive(), 1);
      clock.advance(1000);
      assert.equal(
        await keys.revoke('Abcdefgh1234', { principal: 'key:admin', action: 'api_key.revoked' }),
        true,
      );
      assert.equal(
        await keys.revoke('Abcdefgh1234', { principal: 'key:admin', action: 'api_key.revoked' }),
        false,
      );
      assert.equal((await keys.get('Abcdefgh1234'))?.revokedAt, '2026-06-01T00:00:01.000Z');
      assert.equal(await keys.countActive(), 0);
      assert.deepEqual(
        (await listAudit(handle.db, { limit: 10 })).map((a) => a.action),
        ['api_key.revoked', 'api_key.created'],
      );
    } finally {
      await handle.close();
    }
  });

  it('filters and pages the audit log, newest first', async (t) => {
    const { handle, keys, clock } = await setup(t);
    try {
      for (let i = 0; i < 5; i++) {
        clock.advance(60_000);
        const rec = {
          id: `Key${i}abcdefgh`,
          name: `k${i}`,
          keyHash: 'h'.repeat(64),
          scopes: ['read' as const],
          createdAt: clock.now().toISOString(),
          createdBy: i % 2 ? 'key:odd' : 'key:even',
          revokedAt: null,
        };
        await keys.insert(rec, { principal: rec.createdBy, action: 'api_key.created' });
      }
      const page1 = await listAudit(handle.db, { limit: 2 });
      const page2 = await listAudit(handle.db, { limit: 2, before: page1[1]!.id });
      assert.equal(page1.length, 2);
      assert.ok(page2.every((e) => e.id < page1[1]!.id));
      assert.equal((await listAudit(handle.db, { limit: 10, principal: 'key:odd' })).length, 2);
      assert.equal((await listAudit(handle.db, { limit: 10, since: '2026-06-01T00:03:00.000Z' })).length, 3);
    } finally {
      await handle.close();
    }
  });
});
