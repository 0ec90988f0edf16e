import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { DEMO, raw, startTestServer } from '../helpers/server.js';

describeEachDatabase('audit log API and CLI', (dialect) => {
  it('filters by model, principal and time, pages newest first, and prints through the CLI', async (t) => {
    const s = await startTestServer(t, { dialect });
    const t0 = new Date().toISOString();
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.registerVersion(join(DEMO, '1.1.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    await s.admin.promote('breast-cancer', '1.1.0');
    const other = await s.admin.createKey('ops', ['admin']);
    await s.client(other.key).rollback('breast-cancer');

    const all = await s.admin.listAudit({ model: 'breast-cancer' });
    assert.deepEqual(
      all.events.map((e) => e.action),
      [
        'model.rolled_back',
        'model.promoted',
        'model.promoted',
        'model.version.registered',
        'model.version.registered',
      ],
    );
    assert.deepEqual(all.events[0]!.before, { production: '1.1.0', previous: '1.0.0' });
    assert.equal(all.events[0]!.principal, `key:${other.id}`);
    assert.equal(all.next_cursor, null);

    const byOps = await s.admin.listAudit({ principal: `key:${other.id}` });
    assert.deepEqual(
      byOps.events.map((e) => e.action),
      ['model.rolled_back'],
    );

    const page1 = await s.admin.listAudit({ model: 'breast-cancer', limit: 2 });
    assert.equal(page1.events.length, 2);
    assert.ok(page1.next_cursor);
    const page2 = await s.admin.listAudit({ model: 'breast-cancer', limit: 2, cursor: page1.next_cursor });
    const page3 = await s.admin.listAudit({ model: 'breast-cancer', limit: 2, cursor: page2.next_cursor! });
    assert.deepEqual(
      [...page1.events, ...page2.events, ...page3.events].map((e) => e.id),
      all.events.map((e) => e.id),
    );
    assert.equal(page3.next_cursor, null);

    assert.deepEqual(
      (await s.admin.listAudit({ until: t0 })).events.map((e) => e.action),
      ['api_key.created'],
      'only the bootstrap key came before',
    );
    assert.ok((await s.admin.listAudit({ since: t0 })).events.length >= 6);

    const bad = await raw(s, 'GET', '/v1/audit?since=yesterday');
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors[0]!.pointer, '/since');
    const badLimit = await raw(s, 'GET', '/v1/audit?limit=5000');
    assert.equal(badLimit.status, 422);

    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    const table = await cli(['audit', '--model', 'breast-cancer', '--limit', '2'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /model\.rolled_back/);
    assert.match(table.stdout, /more: modelgate audit --cursor \d+/);
    const asJson = await cli(['--json', 'audit', '--principal', `key:${other.id}`], env);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.equal((JSON.parse(asJson.stdout) as { events: unknown[] }).events.length, 1);
    const denied = await cli(['audit'], {
      ...env,
      MODELGATE_API_KEY: (await s.admin.createKey('p', ['predict'])).key,
    });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /FORBIDDEN/);
  });
});
