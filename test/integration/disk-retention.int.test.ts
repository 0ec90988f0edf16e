import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { FakeClock } from '../../src/shared/clock.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { DEMO, raw, startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Disk use of a running server. Before: every prediction was stored forever (1.7 MB/s, 417 MB in
 * four minutes at ~6k req/s), and interrupted uploads left `.part` files in staging for good (22
 * files, 977 MB after 40 crashes).
 */
const instance = (
  JSON.parse(readFileSync(join(DEMO, 'example-request.json'), 'utf8')) as { instances: unknown[] }
).instances[0] as Record<string, unknown>;

async function predictions(s: TestServer, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await s.admin.predict('breast-cancer', [instance])).prediction_id);
  await s.server.runtime.services.predictionLog.flush();
  return ids;
}

const count = async (s: TestServer) =>
  Number(
    (
      await s.server.runtime.db.db
        .selectFrom('predictions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeEachDatabase('disk retention of a running server', (dialect) => {
  it('keeps the prediction log at its row limit under traffic, deleting the oldest rows', async (t) => {
    const s = await startTestServer(t, {
      dialect,
      demo: true,
      env: {
        MODELGATE_PREDICTION_LOG_MAX_ROWS: '20',
        MODELGATE_PREDICTION_LOG_RETENTION_INTERVAL_SECONDS: '1',
      },
    });
    const ids = await predictions(s, 60);
    await until('retention to reach the limit', async () => (await count(s)) <= 20);
    const kept = (await s.server.runtime.db.db.selectFrom('predictions').select('id').execute()).map(
      (r) => r.id,
    );
    assert.ok(kept.length >= 15, `${kept.length} rows kept`);
    assert.ok(kept.includes(ids.at(-1)!), 'the newest prediction is kept');
    assert.ok(!kept.includes(ids[0]!), 'the oldest is gone');
    const metrics = (await raw(s, 'GET', '/metrics')).text;
    assert.match(
      metrics,
      new RegExp(`^modelgate_prediction_log_deleted_total\\{reason="rows"\\} ${60 - kept.length}$`, 'm'),
    );
  });

  it('deletes predictions older than the age limit (injected clock), with their feedback', async (t) => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
    const s = await startTestServer(t, {
      dialect,
      demo: true,
      clock,
      env: {
        MODELGATE_PREDICTION_LOG_MAX_AGE_HOURS: '24',
        MODELGATE_PREDICTION_LOG_RETENTION_INTERVAL_SECONDS: '1',
      },
    });
    const [first] = await predictions(s, 3);
    const fed = await raw(s, 'POST', '/v1/models/breast-cancer/feedback', {
      body: JSON.stringify({ feedback: [{ prediction_id: first!, label: 'malignant' }] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(fed.json.accepted, 1, fed.text);
    clock.advance(23 * 3_600_000);
    const young = await predictions(s, 2);
    await new Promise((r) => setTimeout(r, 1500)); // a sweep ran: nothing is 24 h old yet
    assert.equal(await count(s), 5);
    clock.advance(2 * 3_600_000);
    await until('the first three to age out', async () => (await count(s)) === 2);
    const kept = (await s.server.runtime.db.db.selectFrom('predictions').select('id').execute()).map(
      (r) => r.id,
    );
    assert.deepEqual(kept.sort(), [...young].sort());
    const feedback = await s.server.runtime.db.db.selectFrom('feedback').select('prediction_id').execute();
    assert.deepEqual(feedback, [], 'the feedback went with its prediction');
  });

  it('removes uploads interrupted by a crash from staging at start, and nothing else', async (t) => {
    let staging = '';
    const s = await startTestServer(t, {
      dialect,
      prepareHome: (home) => {
        staging = join(home, 'staging');
        mkdirSync(staging, { recursive: true });
        for (let i = 0; i < 3; i++) writeFileSync(join(staging, `${i}abc.part`), Buffer.alloc(100_000));
        writeFileSync(join(staging, 'notes.txt'), 'not ours to delete');
      },
    });
    assert.deepEqual(readdirSync(staging), ['notes.txt']);
    assert.ok(
      s.logs.lines.some(
        (l) =>
          l.msg === 'removed uploads interrupted before this start' && l.files === 3 && l.bytes === 300_000,
      ),
    );
    // uploads still stage there afterwards
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    assert.ok(existsSync(staging));
  });
});
