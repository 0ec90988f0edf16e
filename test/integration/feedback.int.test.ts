import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeClock } from '../../src/shared/clock.js';
import { DEMO, raw, startTestServer } from '../helpers/server.js';

const json = { 'content-type': 'application/json' };

function testRows(): Array<{ instance: Record<string, number>; target: string }> {
  const [head, ...lines] = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const instance: Record<string, number> = {};
    cols.forEach((c, i) => c !== 'target' && (instance[c] = Number(cells[i])));
    return { instance, target: cells[cols.indexOf('target')]! };
  });
}

describe('feedback, live performance and the accuracy check', () => {
  it(
    'rolls back a candidate with far lower accuracy once feedback arrives',
    { timeout: 120_000 },
    async (t) => {
      const clock = new FakeClock(Date.UTC(2026, 10, 23, 10));
      const s = await startTestServer(t, { clock, env: { MODELGATE_ROLLOUT_TICK_MS: '600000' } });
      await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
      await s.admin.registerVersion(join(DEMO, '1.2.0/manifest.yaml'));
      await s.admin.promote('breast-cancer', '1.0.0');
      const started = await raw(s, 'POST', '/v1/models/breast-cancer/rollouts', {
        body: JSON.stringify({
          candidate: '1.2.0',
          plan: { steps: [{ type: 'canary', weight: 50, duration: '10m' }], interval: '1m' },
        }),
        headers: json,
      });
      assert.equal(started.status, 201, started.text);
      const id = String(started.json.id);

      const rows = testRows();
      const feedback: Array<{ prediction_id: string; label: string }> = [];
      for (let pass = 0; pass < 3; pass++) {
        for (const [i, row] of rows.entries()) {
          const r = await raw(s, 'POST', '/v1/models/breast-cancer/predict', {
            body: JSON.stringify({ instances: [row.instance], routing_key: `patient-${pass}-${i}` }),
            headers: json,
          });
          assert.equal(r.status, 200, r.text);
          feedback.push({ prediction_id: String(r.json.prediction_id), label: row.target });
        }
      }
      // the first look: enough traffic, but no feedback yet
      clock.advance(60_000);
      await s.server.runtime.services.rollouts.tick();
      const before = (await raw(s, 'GET', `/v1/rollouts/${id}`)).json as unknown as {
        state: string;
        decisions: Array<{ checks: Array<{ name: string }> }>;
      };
      assert.equal(before.state, 'running');
      assert.ok(
        !before.decisions[0]!.checks.some((c) => c.name === 'accuracy'),
        'no accuracy check without feedback',
      );

      const sent = await raw(s, 'POST', '/v1/models/breast-cancer/feedback', {
        body: JSON.stringify({ feedback: [...feedback, { prediction_id: 'nope', label: 'benign' }] }),
        headers: json,
      });
      assert.equal(sent.status, 200, sent.text);
      assert.equal(sent.json.accepted, feedback.length);
      assert.equal((sent.json.unknown as unknown[]).length, 1);
      const dup = await raw(s, 'POST', '/v1/models/breast-cancer/feedback', {
        body: JSON.stringify({ feedback: feedback.slice(0, 5) }),
        headers: json,
      });
      assert.equal(dup.json.duplicates, 5);

      clock.advance(60_000);
      await s.server.runtime.services.rollouts.tick();
      const after = (await raw(s, 'GET', `/v1/rollouts/${id}`)).json as unknown as {
        state: string;
        reason: string;
      };
      assert.equal(after.state, 'rolled_back');
      assert.match(after.reason, /accuracy: candidate accuracy is lower by more than 0.02/);

      await s.server.runtime.services.predictionLog.flush();
      const perf = (await raw(s, 'GET', '/v1/models/breast-cancer/performance')).json as unknown as {
        versions: Array<{
          version: string;
          labelled: number;
          accuracy: number;
          roc_auc: number;
          mae: number | null;
        }>;
      };
      const stable = perf.versions.find((v) => v.version === '1.0.0')!;
      const bad = perf.versions.find((v) => v.version === '1.2.0')!;
      assert.equal(stable.labelled + bad.labelled, feedback.length);
      assert.ok(stable.accuracy > 0.9 && stable.roc_auc > 0.95, JSON.stringify(stable));
      assert.ok(bad.accuracy < 0.75 && bad.roc_auc < 0.7, JSON.stringify(bad));
      assert.equal(stable.mae, null);
      // the log row carries no inputs by default
      const logged = await s.server.runtime.db.db
        .selectFrom('predictions')
        .select(['inputs', 'variant', 'rollout_id'])
        .limit(1)
        .executeTakeFirst();
      assert.equal(logged!.inputs, null);
      assert.equal(logged!.rollout_id, id);
    },
  );
});
