// The CLI's one convention for the model version a command selects (an argument), and its one
// rollback: run in this process against a real server on a real port.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/cli/program.js';
import { cliInProcess as cli } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';

const EXAMPLE = join(DEMO, 'example-request.json');

describe('CLI: the model version a command selects', () => {
  it('is an argument everywhere; --version on predict and report drift is a deprecated alias, not the CLI version', async (t) => {
    const s = await startTestServer(t);
    for (const v of ['1.0.0', '1.1.0']) await s.admin.registerVersion(join(DEMO, v, 'manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
    await s.admin.promote('breast-cancer', '1.1.0');
    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    const versionOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as { version: string }).version;

    const production = await cli(['predict', 'breast-cancer', '--file', EXAMPLE, '--json'], env);
    assert.equal(versionOf(production), '1.1.0', production.stderr);
    const pinned = await cli(['predict', 'breast-cancer', '1.0.0', '--file', EXAMPLE, '--json'], env);
    assert.deepEqual([pinned.code, versionOf(pinned), pinned.stderr], [0, '1.0.0', '']);

    const alias = await cli(
      ['predict', 'breast-cancer', '--version', '1.0.0', '--file', EXAMPLE, '--json'],
      env,
    );
    assert.equal(alias.code, 0, alias.stderr);
    assert.equal(
      versionOf(alias),
      '1.0.0',
      'the deprecated flag pins the version (it printed the CLI version)',
    );
    assert.equal(
      alias.stderr,
      'warning: --version is deprecated; give the version as an argument: modelgate predict breast-cancer 1.0.0\n',
    );
    const both = await cli(
      ['predict', 'breast-cancer', '1.0.0', '--version', '1.1.0', '--file', EXAMPLE],
      env,
    );
    assert.equal(both.code, 1);
    assert.match(both.stderr, /^error: USAGE: two versions given \(1\.0\.0 and --version 1\.1\.0\)/);

    const dir = mkdtempSync(join(tmpdir(), 'mg-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'r.html');
    for (const args of [
      ['report', 'drift', 'breast-cancer', '1.0.0', '--out', out],
      ['report', 'drift', 'breast-cancer', '--version', '1.0.0', '--out', out],
    ]) {
      rmSync(out, { force: true });
      const r = await cli(args, env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^breast-cancer 1\.0\.0: 2 live rows; drift in no feature\. Wrote /);
      assert.match(readFileSync(out, 'utf8'), /<html/);
    }
    const drift = await cli(['report', 'drift', 'breast-cancer', '--out', out], env);
    assert.match(drift.stdout, /^breast-cancer 1\.1\.0: /);

    // the program's own --version (and -V) still print the CLI's version, before any command
    for (const flag of ['--version', '-V'])
      assert.deepEqual(await cli([flag], env), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const late = await cli(['models', 'list', '--version'], env);
    assert.equal(late.code, 1);
    assert.equal(late.stderr, "error: USAGE: unknown option '--version'\n");

    const rolled = await cli(['rollback', 'breast-cancer', '1.0.0'], env);
    assert.deepEqual(
      [rolled.code, rolled.stdout],
      [0, 'breast-cancer: rolled back; now production=1.0.0 previous=1.1.0\n'],
    );
    const to = await cli(['models', 'rollback', 'breast-cancer', '--to', '1.1.0'], env);
    assert.equal(to.stdout, 'breast-cancer: rolled back; now production=1.1.0 previous=1.0.0\n');
    assert.match(
      to.stderr,
      /^warning: --to is deprecated; give the version as an argument: modelgate rollback breast-cancer 1\.1\.0\n$/,
    );
  });
});

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
          (await cli([...command, 'breast-cancer', '1.0.0'], env)).stdout,
          'breast-cancer: unchanged; 1.0.0 is already production (production=1.0.0 previous=1.1.0)\n',
        );
      const json = JSON.parse((await cli(['rollback', 'breast-cancer', '--json'], env)).stdout) as {
        changed: boolean;
      };
      assert.equal(json.changed, true);
    },
  );
});
