import { relative, resolve } from 'node:path';
import type { Config } from '../config/config-schema.js';
import type { CliContext } from './context.js';
import { cliInvocation } from './invocation.js';
import { serveBanner } from './serve-banner.js';

/**
 * The primary of `serve --workers N` (docs/adr/0015): starts the workers (the first alone, for
 * the one-time work), prints the banner once they all serve, and passes SIGTERM (drain) and
 * SIGINT (stop at once) on to them; exits 0 once every worker ended cleanly. It loads no server
 * code: no model, no database connection.
 */
export async function servePrimary(
  config: Config,
  count: number,
  demo: boolean,
  ctx: CliContext,
): Promise<void> {
  const [{ Supervisor, WorkerStartError }, { Metrics }, { createLogger }, { VERSION }, { DEMO_DIR }] =
    await Promise.all([
      import('../workers/supervisor.js'),
      import('../observability/metrics.js'),
      import('../shared/logger.js'),
      import('../shared/version.js'),
      import('../demo-dir.js'),
    ]);
  // the primary's few lines go out whole, through the same stream as the workers' relayed lines
  const logger = createLogger({ level: config.logLevel, destination: process.stdout });
  const supervisor = new Supervisor({
    count,
    logger,
    metrics: new Metrics(VERSION, 'primary'),
    stopTimeoutMs: config.shutdownDrainMs + config.shutdownTimeoutMs + 10_000,
  });
  let stopping = false;
  const stop = (signal: 'SIGTERM' | 'SIGINT') => {
    if (!stopping) logger.info({ signal, workers: count }, 'shutting down');
    stopping = true;
    void supervisor.stop(signal).then((code) => process.exit(code));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  let ready;
  try {
    ready = await supervisor.start();
  } catch (err) {
    if (stopping) return; // the signal's handler exits
    // the worker printed why; the primary exits as it did
    logger.error({ err }, 'a worker did not start; stopping');
    process.exit(err instanceof WorkerStartError && err.code ? err.code : 1);
  }
  logger.info({ workers: count, url: ready.url }, 'workers serving');
  const cwd = process.cwd();
  ctx.io.err(
    serveBanner({
      url: ready.url,
      where: ready.where,
      workers: count,
      ...(ready.generatedAdminKey ? { generatedAdminKey: ready.generatedAdminKey } : {}),
      demo,
      example: relative(cwd, `${DEMO_DIR}/breast-cancer/example-request.json`),
      cli: cliInvocation(ctx.env, cwd),
      ...(config.databaseUrl ? {} : { home: resolve(config.home) }),
      cwd,
    }),
  );
}
