import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { DEMO, startTestServer } from '../helpers/server.js';
import { tamperBlob } from '../helpers/tamper.js';

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('modelgate CLI against a running server', () => {
  it('registers, lists, promotes, predicts, rolls back and verifies', async (t) => {
    const s = await startTestServer(t);
    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };

    const reg = await cli(['models', 'register', join(DEMO, '1.0.0/manifest.yaml')], env);
    assert.equal(reg.code, 0, reg.stderr);
    assert.match(
      reg.stdout,
      /^registered breast-cancer 1\.0\.0 \(breast-cancer-v1\.0\.0-\d{8}-\d{4}\) sha256 [0-9a-f]{64}\n$/,
    );
    assert.equal((await cli(['models', 'register', join(DEMO, '1.1.0/manifest.yaml')], env)).code, 0);
    const again = await cli(['models', 'register', join(DEMO, '1.1.0/manifest.yaml')], env);
    assert.match(again.stdout, /^already registered breast-cancer 1\.1\.0/);

    const promote = await cli(['models', 'promote', 'breast-cancer', '1.0.0'], env);
    assert.equal(promote.stdout, 'breast-cancer: promoted 1.0.0; now production=1.0.0\n');
    assert.equal(
      (await cli(['models', 'promote', 'breast-cancer', '1.1.0'], env)).stdout,
      'breast-cancer: promoted 1.1.0; now production=1.1.0 previous=1.0.0\n',
    );

    const list = await cli(['--json', 'models', 'list'], env);
    const models = JSON.parse(list.stdout) as Array<{
      name: string;
      aliases: Record<string, string>;
      version_count: number;
    }>;
    assert.deepEqual(
      models.map((m) => [m.name, m.aliases, m.version_count]),
      [['breast-cancer', { production: '1.1.0', previous: '1.0.0' }, 2]],
    );
    const table = await cli(['models', 'list'], env);
    assert.match(table.stdout, /│ breast-cancer │ 1\.1\.0 +│ +│ 1\.0\.0 +│ 2 +│ 1\.1\.0 +│/);

    const predict = await cli(
      ['--json', 'predict', 'breast-cancer', '--file', join(DEMO, 'example-request.json')],
      env,
    );
    const answer = JSON.parse(predict.stdout) as { version: string; predictions: Array<{ label: string }> };
    assert.equal(answer.version, '1.1.0');
    assert.equal(answer.predictions[0]!.label, 'malignant');

    assert.equal(
      (await cli(['models', 'rollback', 'breast-cancer'], env)).stdout,
      'breast-cancer: rolled back; now production=1.0.0 previous=1.1.0\n',
    );
    const show = await cli(['--json', 'models', 'show', 'breast-cancer', '1.0.0'], env);
    assert.deepEqual((JSON.parse(show.stdout) as { aliases: string[] }).aliases, ['production']);

    const verify = await cli(['models', 'verify', 'breast-cancer', '1.1.0'], env);
    assert.equal(verify.code, 0);
    assert.match(verify.stdout, /breast-cancer 1\.1\.0: intact/);
    const v11 = await s.admin.getVersion('breast-cancer', '1.1.0');
    await tamperBlob(s, v11.artifact_sha256);
    const broken = await cli(['models', 'verify', 'breast-cancer', '1.1.0'], env);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /MISMATCH[\s\S]*INTEGRITY FAILURE/);
  });

  it('prints one clear line with the problem code on failure and exits non-zero', async (t) => {
    const s = await startTestServer(t);
    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    const missing = await cli(['models', 'promote', 'breast-cancer', '9.9.9'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "error: MODEL_NOT_FOUND: model 'breast-cancer' is not registered\n");
    assert.equal(missing.stdout, '');

    const noKey = await cli(['models', 'list'], { MODELGATE_URL: s.url });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /^error: UNAUTHENTICATED: /);

    const port = await closedPort();
    const down = await cli(['models', 'list'], {
      MODELGATE_URL: `http://127.0.0.1:${port}`,
      MODELGATE_API_KEY: s.adminKey,
    });
    assert.equal(down.code, 2);
    assert.equal(
      down.stderr,
      `error: SERVER_UNREACHABLE: cannot reach modelgate at http://127.0.0.1:${port}: ECONNREFUSED\n`,
    );

    const usage = await cli(['models', 'promote', 'breast-cancer'], env);
    assert.equal(usage.code, 1);
    assert.equal(usage.stderr, "error: USAGE: missing required argument 'version'\n");
  });

  it('manages API keys remotely and, with --local, on the store itself', async (t) => {
    const s = await startTestServer(t);
    const env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    const created = await cli(['--json', 'keys', 'create', '--name', 'svc', '--scopes', 'predict'], env);
    const key = JSON.parse(created.stdout) as { id: string; key: string; scopes: string[] };
    assert.deepEqual(key.scopes, ['predict']);
    const human = await cli(['keys', 'create', '--name', 'svc2', '--scopes', 'read,predict'], env);
    assert.match(
      human.stdout,
      /^created key [A-Za-z0-9]{12} \(svc2; scopes read, predict\)\nkey \(shown once, store it now\): mg_/,
    );
    const listed = await cli(['keys', 'list'], env);
    assert.ok(
      listed.stdout.includes(key.id) && !listed.stdout.includes(key.key),
      'listed without the secret',
    );
    assert.match(
      (await cli(['keys', 'revoke', key.id], env)).stdout,
      new RegExp(`^revoked key ${key.id} \\(svc\\) at `),
    );
    assert.equal((await cli(['keys', 'create', '--name', 'x', '--scopes', 'root'], env)).code, 1);

    await s.server.close();
    const local = await cli(
      ['--json', 'keys', 'create', '--local', '--name', 'rescue', '--scopes', 'admin'],
      { MODELGATE_HOME: s.home },
    );
    assert.equal(local.code, 0, local.stderr);
    const rescue = JSON.parse(local.stdout) as { name: string; created_by: string };
    assert.deepEqual([rescue.name, rescue.created_by], ['rescue', 'cli:local']);
    const localList = JSON.parse(
      (await cli(['--json', 'keys', 'list', '--local'], { MODELGATE_HOME: s.home })).stdout,
    ) as Array<{ name: string; revoked_at: string | null }>;
    assert.deepEqual(
      localList.map((k) => [k.name, k.revoked_at === null]),
      [
        ['bootstrap-admin', true],
        ['svc', false],
        ['svc2', true],
        ['rescue', true],
      ],
    );
  });
});
