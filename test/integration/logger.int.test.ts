import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configKeys } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { LogCapture, REPO } from '../helpers/server.js';
import { createLogger } from '../../src/shared/logger.js';

describe('log redaction', () => {
  it('censors credentials in headers and config objects that are logged whole', () => {
    const out = new LogCapture();
    const log = createLogger({ level: 'info', destination: out });
    log.info(
      {
        req: {
          headers: {
            authorization: 'Bearer mg_AAAA_secret1',
            'x-api-key': 'mg_BBBB_secret2',
            cookie: 's=secret3',
          },
        },
        headers: { authorization: 'Bearer eyJ.secret4.x' },
        config: { adminKey: 'mg_CCCC_secret5', databaseUrl: 'postgres://u:secret6@db/x', port: 8080 },
      },
      'whole objects',
    );
    const line = out.raw.join('\n');
    for (let i = 1; i <= 6; i++) assert.ok(!line.includes(`secret${i}`), `secret${i} is censored`);
    assert.equal((out.lines[0]!.config as { port: number }).port, 8080, 'other fields stay');
    assert.equal(
      (out.lines[0]!.req as { headers: Record<string, string> }).headers.authorization,
      '[REDACTED]',
    );
  });
});

describe('secrets from files', () => {
  it('reads every secret config key from <ENV>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgate-secrets-'));
    const values: Record<string, string> = {
      databaseUrl: 'postgres://u:p@127.0.0.1:5432/x',
      adminKey: 'mg_abcdefgh12_' + 'k'.repeat(43),
      jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
      rolloutWebhookSecret: 'a-webhook-secret-of-some-length',
      redisUrl: 'redis://:a-redis-password@127.0.0.1:6379/0',
    };
    const secrets = configKeys().filter((k) => k.secret);
    assert.deepEqual(
      secrets.map((k) => k.key).sort(),
      Object.keys(values).sort(),
      'every secret is covered here',
    );
    const env: Record<string, string> = { MODELGATE_JWT_ISSUER: 'https://i', MODELGATE_JWT_AUDIENCE: 'a' };
    for (const k of secrets) {
      const file = join(dir, k.key);
      writeFileSync(file, values[k.key] + '\n');
      env[`${k.env[0]}_FILE`] = file;
    }
    const config = loadConfig({ env });
    for (const k of secrets) assert.equal(config[k.key], values[k.key], k.key);
  });
});

/** The logger of a child process writing to a pipe, as a server's stdout usually is. */
function logChild(mode: 'stay' | 'throw' | 'reject', marker: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/log-child.ts', mode, marker], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const logged = new Promise<number>((resolve) =>
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('logged')) resolve(Date.now());
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logged, exited, stdout: () => stdout };
}

describe('log delivery', () => {
  it('a line reaches stdout within 1 s although the 4 kB buffer is far from full', async (t) => {
    const c = logChild('stay', 'quiet-line');
    t.after(() => c.child.kill('SIGKILL'));
    const at = await c.logged;
    while (!c.stdout().includes('quiet-line') && Date.now() - at < 1000)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(c.stdout(), /"marker":"quiet-line","msg":"one line"/, 'written within 1 s');
  });

  for (const mode of ['throw', 'reject'] as const) {
    it(`a crash (${mode === 'throw' ? 'uncaught exception' : 'unhandled rejection'}) right after logging still writes the line`, async (t) => {
      const c = logChild(mode, `crash-${mode}`);
      t.after(() => c.child.kill('SIGKILL')); // if the crash ever stops ending it, fail, not hang
      assert.equal(await c.exited, 1);
      assert.match(c.stdout(), new RegExp(`"marker":"crash-${mode}","msg":"one line"`));
    });
  }
});
