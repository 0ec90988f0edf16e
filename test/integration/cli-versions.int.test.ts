// The CLI's one rollback: run in this process against a real server on a real port.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliInProcess as cli } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';

describe('CLI: rollback', () => {
  it(
    'rollback and models rollback: one behaviour, one output that says what was done',
    { timeout: 120_000 },
    async (t) => {
      const s = await startTestServer(t, { env: { MODELGATE_ROLLOUT_TICK_MS: '200' } });
      for (const v of ['1.0.0', '1.1.0']) await s.admin.registerVersion(join(DEMO, v, 'manifest.yaml'));
      await s.admin.promote('breast-cancer', '1.1.0');
      await s.admin.promote('breast-cancer', '1.0.0');
      const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };

      for (const command of [['models', 'rollback'], ['rollback']]) {
        const started = await s.admin.startRollout('breast-cancer', {
          candidate: '1.1.0',
          plan: { steps: [{ type: 'smoke' }, { type: 'canary', weight: 30, duration: '10m' }] },
        });
        const r = await cli([...command, 'breast-cancer'], env);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(
          r.stdout,
          `breast-cancer: aborted rollout ${started.id}; all traffic on 1.0.0 (production=1.0.0 previous=1.1.0)\n`,
          command.join(' '),
        );
        assert.equal((await s.admin.getRollout(started.id)).state, 'aborted');
        const audit = await s.admin.listAudit({ model: 'breast-cancer', limit: 5 });
        assert.ok(
          audit.events.some((e) => e.action === 'rollout.aborted'),
          'the abort is audited',
        );
      }

      // without a rollout: production goes back to previous; the same words from both commands
      assert.equal(
        (await cli(['models', 'rollback', 'breast-cancer'], env)).stdout,
        'breast-cancer: rolled back; now production=1.1.0 previous=1.0.0\n',
      );
      assert.equal(
        (await cli(['rollback', 'breast-cancer'], env)).stdout,
        'breast-cancer: rolled back; now production=1.0.0 previous=1.1.0\n',
      );
      for (const command of [['models', 'rollback'], ['rollback']])
        assert.equal(
          (await cli([...command, 'breast-cancer', '--to', '1.0.0'], env)).stdout,
          'breast-cancer: unchanged; 1.0.0 is already production (production=1.0.0 previous=1.1.0)\n',
        );
      const json = JSON.parse((await cli(['rollback', 'breast-cancer', '--json'], env)).stdout) as {
        changed: boolean;
      };
      assert.equal(json.changed, true);
    },
  );
});
