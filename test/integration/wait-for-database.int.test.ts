import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { databaseUnavailable } from '../../src/store/database-errors.js';
import { retryWhileDatabaseUnavailable } from '../../src/wait-for-database.js';

const config = loadConfig({
  env: {
    MODELGATE_PORT: '0',
    MODELGATE_DATABASE_START_RETRY_INITIAL_MS: '20',
    MODELGATE_DATABASE_START_RETRY_MAX_MS: '40',
  },
});
const logger = pino({ level: 'silent' });
const refused = () =>
  databaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

describe('retryWhileDatabaseUnavailable', () => {
  it('retries while the database is unavailable, answering /health and /ready meanwhile, and returns the result', async () => {
    let attempts = 0;
    let answered:
      { health: number; ready: number; readyBody: Record<string, unknown>; other: number } | undefined;
    let waitingUrl: string | undefined;
    const { value, bootstrap } = await retryWhileDatabaseUnavailable(
      async () => {
        attempts++;
        if (attempts === 3 && waitingUrl) {
          const ready = await fetch(`${waitingUrl}/ready`);
          answered = {
            health: (await fetch(`${waitingUrl}/health`)).status,
            ready: ready.status,
            readyBody: (await ready.json()) as Record<string, unknown>,
            other: (await fetch(`${waitingUrl}/v1/models`)).status,
          };
        }
        if (attempts < 4) throw refused();
        return 'started';
      },
      { config, logger, onWaiting: (url) => (waitingUrl = url), random: () => 0.5 },
    );
    assert.equal(value, 'started');
    assert.equal(attempts, 4);
    assert.deepEqual(
      { ...answered, readyBody: { code: answered?.readyBody.code, ready: answered?.readyBody.ready } },
      { health: 200, ready: 503, readyBody: { code: 'DATABASE_UNAVAILABLE', ready: false }, other: 503 },
    );
    assert.match(
      String(answered!.readyBody.detail),
      /^database unavailable \(connection failed \(ECONNREFUSED\)\), retrying in 1 s$/,
    );
    assert.ok(bootstrap, 'the bootstrap server is handed over still listening');
    await bootstrap.close();
    await assert.rejects(fetch(`${waitingUrl}/health`), 'closed');
  });

  it('a failure that is not about reachability ends the start at once, without a bootstrap server', async () => {
    let attempts = 0;
    let waited = false;
    const wrongPassword = Object.assign(new Error('password authentication failed'), { code: '28P01' });
    await assert.rejects(
      retryWhileDatabaseUnavailable(
        async () => {
          attempts++;
          throw wrongPassword;
        },
        { config, logger, onWaiting: () => (waited = true) },
      ),
      wrongPassword,
    );
    assert.deepEqual({ attempts, waited }, { attempts: 1, waited: false });
  });

  it('an abort while waiting ends the wait and closes the bootstrap server', async () => {
    const abort = new AbortController();
    let url: string | undefined;
    await assert.rejects(
      retryWhileDatabaseUnavailable(
        async () => {
          throw refused();
        },
        {
          config: loadConfig({
            env: {
              MODELGATE_PORT: '0',
              MODELGATE_DATABASE_START_RETRY_INITIAL_MS: '60000',
              MODELGATE_DATABASE_START_RETRY_MAX_MS: '60000',
            },
          }),
          logger,
          signal: abort.signal,
          onWaiting: (u) => {
            url = u;
            setImmediate(() => abort.abort());
          },
        },
      ),
      { name: 'AbortError' },
    );
    assert.ok(url);
    await assert.rejects(fetch(`${url}/health`));
  });
});
