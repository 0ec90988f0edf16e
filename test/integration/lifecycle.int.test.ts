import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { listAudit } from '../../src/modules/audit/audit.js';
import { SqlRegistryStore } from '../../src/modules/registry/sql-registry-store.js';
import { FakeClock } from '../../src/shared/clock.js';
import { AppError } from '../../src/shared/errors.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { apiError, DEMO, raw, startTestServer } from '../helpers/server.js';

const demo = (v: string) => join(DEMO, v, 'manifest.yaml');
const example = readFileSync(join(DEMO, 'example-request.json'), 'utf8');
const M = 'breast-cancer';
const DAY = 86_400_000;

describeEachDatabase('version lifecycle', (dialect) => {
  it('deprecated serves with a Deprecation header; archived refuses promote, stage, rollout; restore undoes it', async (t) => {
    const s = await startTestServer(t, { dialect });
    for (const v of ['1.0.0', '1.1.0']) await s.admin.registerVersion(demo(v));
    await s.admin.promote(M, '1.0.0');

    const dep = await s.admin.changeLifecycle(M, '1.0.0', 'deprecate', 'replaced by 1.1.0');
    assert.equal(dep.changed, true);
    assert.equal(dep.lifecycle.state, 'deprecated');
    assert.equal(dep.lifecycle.reason, 'replaced by 1.1.0');
    assert.equal(dep.lifecycle.changed_by, `key:${s.adminKey.split('_')[1]}`);
    assert.equal((await s.admin.changeLifecycle(M, '1.0.0', 'deprecate', 'again')).changed, false);

    const headers = { 'content-type': 'application/json' };
    const prod = await raw(s, 'POST', `/v1/models/${M}/predict`, { body: example, headers });
    assert.equal(prod.status, 200);
    assert.equal(
      prod.headers.get('deprecation'),
      `@${Math.floor(Date.parse(dep.lifecycle.changed_at!) / 1000)}`,
    );
    assert.equal(
      prod.headers.get('link'),
      `</v1/models/${M}/versions/1.0.0>; rel="deprecation"; type="application/json"`,
    );
    const v2 = await raw(s, 'POST', `/v2/models/${M}/versions/1.0.0/infer`, {
      body: readFileSync(join(DEMO, 'example-v2-request.json'), 'utf8'),
      headers,
    });
    assert.equal(v2.status, 200);
    assert.match(v2.headers.get('deprecation') ?? '', /^@\d+$/);
    const pinned = await raw(s, 'POST', `/v1/models/${M}/versions/1.1.0/predict`, { body: example, headers });
    assert.equal(pinned.status, 200);
    assert.equal(pinned.headers.get('deprecation'), null);
    const logged = s.logs.lines.filter((l) => l.deprecated === true && l.version === '1.0.0');
    assert.equal(logged.length, 2, 'the native and the V2 answer carry deprecated: true in the log');

    const inUse = await apiError(s.admin.changeLifecycle(M, '1.0.0', 'archive', 'old'));
    assert.deepEqual([inUse.status, inUse.code], [409, 'VERSION_IN_USE']);
    assert.match(inUse.detail, /production/);

    const arch = await s.admin.changeLifecycle(M, '1.1.0', 'archive', 'never shipped');
    assert.deepEqual([arch.lifecycle.state, arch.lifecycle.artifact], ['archived', 'present']);
    for (const refused of [
      () => s.admin.promote(M, '1.1.0'),
      () => s.admin.setAlias(M, 'staging', '1.1.0'),
      () => s.admin.startRollout(M, { candidate: '1.1.0' }),
      () => s.admin.changeLifecycle(M, '1.1.0', 'deprecate', 'old'),
    ]) {
      const e = await apiError(refused());
      assert.deepEqual([e.status, e.code], [409, 'VERSION_ARCHIVED']);
    }
    assert.equal((await s.admin.getModel(M)).aliases.production, '1.0.0');

    const [summary] = await s.admin.listModels();
    assert.deepEqual(summary!.version_states, { active: 0, deprecated: 1, archived: 1 });
    const shown = await s.admin.getModel(M);
    assert.deepEqual(
      shown.versions.map((v) => [v.version, v.lifecycle.state, v.lifecycle.reason]),
      [
        ['1.1.0', 'archived', 'never shipped'],
        ['1.0.0', 'deprecated', 'replaced by 1.1.0'],
      ],
    );
    const card = await s.admin.cardData(M, '1.1.0');
    assert.equal(card.lifecycle.state, 'archived');
    assert.match(
      await s.admin.card(M, '1.0.0', 'markdown'),
      /- \*\*Lifecycle:\*\* Deprecated since .*: replaced by 1\.1\.0\./,
    );

    const restored = await s.admin.changeLifecycle(M, '1.1.0', 'restore', 'needed after all');
    assert.deepEqual([restored.lifecycle.state, restored.lifecycle.reason], ['active', 'needed after all']);
    assert.equal((await s.admin.promote(M, '1.1.0')).aliases.production, '1.1.0');

    const events = await listAudit(s.server.runtime.db.db, { limit: 20, model: M });
    assert.deepEqual(
      events
        .filter((e) => e.action.startsWith('model.version.') && e.action !== 'model.version.registered')
        .reverse()
        .map((e) => [e.action, e.version, (e.after as { reason: string }).reason]),
      [
        ['model.version.deprecated', '1.0.0', 'replaced by 1.1.0'],
        ['model.version.archived', '1.1.0', 'never shipped'],
        ['model.version.restored', '1.1.0', 'needed after all'],
      ],
    );
  });

  it('gc: a dry run lists what would go and deletes nothing; apply frees the bytes and spares aliased versions', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const s = await startTestServer(t, { dialect, clock, env: { MODELGATE_ROLLOUT_TICK_MS: '600000' } });
    for (const v of ['1.0.0', '1.1.0', '1.2.0']) await s.admin.registerVersion(demo(v));
    await s.admin.promote(M, '1.0.0');
    await s.admin.promote(M, '1.1.0'); // previous = 1.0.0
    await s.admin.changeLifecycle(M, '1.0.0', 'archive', 'superseded');
    await s.admin.changeLifecycle(M, '1.2.0', 'archive', 'bad metrics');
    const blobOf = async (v: string) => (await s.admin.getVersion(M, v)).files[0]!;
    const [f10, f11, f12] = await Promise.all(['1.0.0', '1.1.0', '1.2.0'].map(blobOf));
    const blobs = s.server.runtime.blobs;

    clock.advance(DAY);
    const young = await s.admin.gc({ olderThanSeconds: 30 * 86_400 });
    assert.deepEqual([young.versions, young.bytes, young.kept], [[], 0, []]);

    clock.advance(30 * DAY);
    const dry = await s.admin.gc({ olderThanSeconds: 30 * 86_400 });
    assert.equal(dry.applied, false);
    assert.deepEqual(
      dry.versions.map((v) => [v.version, v.bytes]),
      [['1.2.0', f12!.size]],
    );
    assert.deepEqual(dry.kept, [{ model: M, version: '1.0.0', why: 'alias' }]);
    assert.deepEqual(dry.blobs, [{ sha256: f12!.sha256, bytes: f12!.size }]);
    assert.equal(dry.bytes, f12!.size);
    assert.equal(await blobs.has(f12!.sha256), true, 'a dry run deletes nothing');
    assert.equal((await s.admin.getVersion(M, '1.2.0')).lifecycle.artifact, 'present');

    const applied = await s.admin.gc({ olderThanSeconds: 30 * 86_400, apply: true });
    assert.equal(applied.applied, true);
    assert.equal(applied.bytes, f12!.size);
    assert.equal(await blobs.has(f12!.sha256), false, 'the blob is gone');
    assert.equal(await blobs.has(f10!.sha256), true, "the previous alias's version is untouched");
    assert.equal(await blobs.has(f11!.sha256), true, "production's version is untouched");
    const collected = await s.admin.getVersion(M, '1.2.0');
    assert.deepEqual(
      [collected.lifecycle.state, collected.lifecycle.artifact, collected.lifecycle.artifact_collected_at],
      ['archived', 'collected', clock.now().toISOString()],
    );
    const noRestore = await apiError(s.admin.changeLifecycle(M, '1.2.0', 'restore', 'want it back'));
    assert.deepEqual([noRestore.status, noRestore.code], [409, 'ARTIFACT_COLLECTED']);

    const again = await s.admin.gc({ olderThanSeconds: 30 * 86_400, apply: true });
    assert.deepEqual([again.versions, again.bytes], [[], 0]);
    const audit = await listAudit(s.server.runtime.db.db, { limit: 5, model: M });
    assert.deepEqual(
      audit.filter((e) => e.action === 'model.version.artifact_collected').map((e) => e.version),
      ['1.2.0'],
    );
    const forbidden = await raw(s, 'POST', '/v1/admin/gc', {
      body: '{}',
      headers: { 'content-type': 'application/json' },
      key: null,
    });
    assert.equal(forbidden.status, 401);
  });

  it('an active rollout keeps its candidate from being archived; the store refuses an archived alias target', async (t) => {
    const s = await startTestServer(t, { dialect, env: { MODELGATE_ROLLOUT_TICK_MS: '600000' } });
    for (const v of ['1.0.0', '1.1.0']) await s.admin.registerVersion(demo(v));
    await s.admin.promote(M, '1.0.0');
    const rollout = await s.admin.startRollout(M, { candidate: '1.1.0' });
    const e = await apiError(s.admin.changeLifecycle(M, '1.1.0', 'archive', 'too late'));
    assert.deepEqual([e.status, e.code], [409, 'VERSION_IN_USE']);
    assert.match(e.detail, /active rollout/);
    await s.admin.rolloutAction(rollout.id, 'abort');
    await s.admin.changeLifecycle(M, '1.1.0', 'archive', 'aborted');

    // the race the service's early check cannot close: an archive that commits between the
    // check and the alias move; the store's transaction refuses it
    const store = new SqlRegistryStore(s.server.runtime.db.db, s.server.runtime.db.dialect, new FakeClock());
    const current = await store.getAliases(M);
    await assert.rejects(
      store.replaceAliases(
        M,
        current,
        { ...current, staging: '1.1.0' },
        {
          principal: 'test',
          action: 'model.alias.set',
          model: M,
        },
      ),
      (err: unknown) => err instanceof AppError && err.code === 'VERSION_ARCHIVED',
    );
    assert.deepEqual(await store.getAliases(M), current);
  });
});
