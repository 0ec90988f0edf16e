import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from './config/config-schema.js';
import { startBootstrapServer, type BootstrapServer } from './http/bootstrap-server.js';
import { backoffDelay } from './shared/backoff.js';
import type { Logger } from './shared/logger.js';
import { connectivityReason, isDatabaseUnavailable } from './store/database-errors.js';

export interface WaitOptions {
  config: Config;
  logger: Logger;
  /** Aborts the wait (SIGTERM while the database is still away). */
  signal?: AbortSignal | undefined;
  /** Called once, when the first attempt failed, with the URL that answers /health and /ready. */
  onWaiting?: ((url: string, reason: string) => void) | undefined;
  random?: () => number;
}

/**
 * Runs `attempt` (the whole start: open, migrate, load) until it does not fail for want of the
 * database. While it does, a bootstrap server answers on the configured port (`/health` 200,
 * `/ready` 503 with the reason), and the next attempt comes after a capped exponential backoff.
 * Any other failure ends the start at once: a wrong password does not fix itself. The bootstrap
 * server, if one was started, is returned still listening: the caller closes it right before the
 * real app listens on its port, so the port is refused for as short a time as possible.
 */
export async function retryWhileDatabaseUnavailable<T>(
  attempt: () => Promise<T>,
  options: WaitOptions,
): Promise<{ value: T; bootstrap: BootstrapServer | undefined }> {
  const { config, logger } = options;
  const policy = { initialMs: config.databaseStartRetryInitialMs, maxMs: config.databaseStartRetryMaxMs };
  let bootstrap: BootstrapServer | undefined;
  for (let n = 0; ; n++) {
    try {
      return { value: await attempt(), bootstrap };
    } catch (err) {
      if (!isDatabaseUnavailable(err) || options.signal?.aborted) {
        await bootstrap?.close();
        throw err;
      }
      const delayMs = backoffDelay(n, policy, options.random);
      const cause = `database unavailable (${connectivityReason(err)})`;
      const retryAtMs = Date.now() + delayMs;
      logger.warn(
        { err: err.cause ?? err, attempt: n + 1, retry_in_ms: delayMs },
        'database unavailable at start; retrying',
      );
      if (bootstrap) bootstrap.waiting(cause, retryAtMs);
      else {
        bootstrap = await startBootstrapServer({
          host: config.host,
          port: config.port,
          requestTimeoutMs: config.requestTimeoutMs,
          cause,
          retryAtMs,
        });
        logger.info({ url: bootstrap.url }, 'answering /health and /ready while waiting for the database');
        options.onWaiting?.(bootstrap.url, `${cause}, retrying in ${Math.ceil(delayMs / 1000)} s`);
      }
      try {
        await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch (aborted) {
        await bootstrap.close();
        throw aborted;
      }
    }
  }
}
