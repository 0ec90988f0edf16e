import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configKeys } from './config-schema.js';
import { ConfigError, loadConfig } from './load-config.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'mg-config-'));
const KEY = 'mg_AbCdEfGh1234_' + 'x'.repeat(43);

describe('loadConfig', () => {
  it('gives the schema defaults with an empty environment', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.home, './.modelgate');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(Object.isFrozen(c), true);
  });

  it('layers defaults < file < env < _FILE secrets < overrides', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), 'port: 9000\nhost: 0.0.0.0\nmax_instances_per_request: 10\n');
    writeFileSync(join(dir, 'key'), KEY + '\n');
    const c = loadConfig({
      env: {
        MODELGATE_CONFIG: join(dir, 'c.yaml'),
        MODELGATE_PORT: '9100',
        MODELGATE_ADMIN_KEY_FILE: join(dir, 'key'),
      },
      overrides: { port: '9200' },
    });
    assert.equal(c.host, '0.0.0.0', 'file beats default');
    assert.equal(c.maxInstancesPerRequest, 10);
    assert.equal(c.port, 9200, 'override beats env beats file');
    assert.equal(c.adminKey, KEY, 'secret read from _FILE, trailing newline dropped');
  });

  it('reads DATABASE_URL as well as MODELGATE_DATABASE_URL, the prefixed one winning', () => {
    assert.equal(loadConfig({ env: { DATABASE_URL: 'postgres://a/b' } }).databaseUrl, 'postgres://a/b');
    assert.equal(
      loadConfig({ env: { DATABASE_URL: 'postgres://a/b', MODELGATE_DATABASE_URL: 'postgres://c/d' } })
        .databaseUrl,
      'postgres://c/d',
    );
  });

  it('names every malformed key at once, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        env: {
          MODELGATE_PORT: '80x',
          MODELGATE_LOG_LEVEL: 'loud',
          MODELGATE_MAX_BODY_BYTES: '1.5',
          MODELGATE_ADMIN_KEY: 'hunter2',
        },
      });
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    const text = error.message;
    assert.match(text, /MODELGATE_PORT: expected an integer from 0 to 65535, got "80x"/);
    assert.match(text, /MODELGATE_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent/);
    assert.match(text, /MODELGATE_MAX_BODY_BYTES: expected an integer/);
    assert.match(text, /MODELGATE_ADMIN_KEY: .*\[a value that is not shown\]/);
    assert.doesNotMatch(text, /hunter2/);
    assert.equal(error.problems.length, 4);
  });

  it('refuses out-of-range numbers and a secret set twice', () => {
    assert.throws(() => loadConfig({ env: { MODELGATE_PORT: '70000' } }), /MODELGATE_PORT/);
    const dir = tmp();
    writeFileSync(join(dir, 'k'), KEY);
    assert.throws(
      () => loadConfig({ env: { MODELGATE_ADMIN_KEY: KEY, MODELGATE_ADMIN_KEY_FILE: join(dir, 'k') } }),
      /MODELGATE_ADMIN_KEY and MODELGATE_ADMIN_KEY_FILE are both set/,
    );
    assert.throws(
      () => loadConfig({ env: { MODELGATE_ADMIN_KEY_FILE: join(dir, 'missing') } }),
      /MODELGATE_ADMIN_KEY_FILE: cannot read .*ENOENT/,
    );
  });

  it('checks the drift and promotion settings as a whole', () => {
    const config = loadConfig({ env: { MODELGATE_DRIFT_WINDOW: 'time:2h' } });
    assert.equal(config.driftWindow, 'time:2h');
    assert.throws(
      () => loadConfig({ env: { MODELGATE_DRIFT_WINDOW: 'rows:100' } }),
      /MODELGATE_DRIFT_WINDOW: 'rows:100' is not a window; expected count:N or time:D/,
    );
    assert.throws(
      () => loadConfig({ env: { MODELGATE_DRIFT_PSI_WATCH: '0.3', MODELGATE_DRIFT_PSI_ACT: '0.2' } }),
      /MODELGATE_DRIFT_PSI_ACT \(0\.2\) must be at least MODELGATE_DRIFT_PSI_WATCH \(0\.3\)/,
    );
    assert.throws(
      () => loadConfig({ env: { MODELGATE_PROMOTION_POLICY: 'roc_auc >= high' } }),
      /MODELGATE_PROMOTION_POLICY: promotion policy rule 1 "roc_auc >= high" is invalid/,
    );
  });

  it('refuses unknown keys and secrets in a config file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.yaml'), 'prot: 1\nadmin_key: x\n');
    assert.throws(
      () => loadConfig({ env: { MODELGATE_CONFIG: join(dir, 'c.yaml') } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some((p) => p.includes("unknown key 'prot'")) &&
        err.problems.some((p) => p.includes("'admin_key' is a secret")),
    );
  });

  it('derives env names, file keys and secrecy from the schema', () => {
    const byKey = new Map(configKeys().map((k) => [k.key, k]));
    assert.deepEqual(byKey.get('maxInstancesPerRequest')?.env, ['MODELGATE_MAX_INSTANCES_PER_REQUEST']);
    assert.equal(byKey.get('maxInstancesPerRequest')?.fileKey, 'max_instances_per_request');
    assert.deepEqual(byKey.get('databaseUrl')?.env, ['MODELGATE_DATABASE_URL', 'DATABASE_URL']);
    assert.equal(byKey.get('adminKey')?.secret, true);
    assert.equal(byKey.get('port')?.secret, false);
  });
});
