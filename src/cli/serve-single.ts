import { relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Config } from '../config/config-schema.js';
import type { RunningServer } from '../main.js';
import type { WorkerRole } from '../workers/worker-channel.js';
import type { CliContext } from './context.js';
import { IdleMemoryReducer, reduceMemory } from '../shared/memory-reducer.js';
import { cliInvocation } from './invocation.js';
import { serveBanner } from './serve-banner.js';

/** How long a server must be quiet before it returns memory (twice this at most)... */
const IDLE_REDUCE_MS = 10_000;
/** ...quiet meaning at most this many requests in that time (probes and scrapes, not traffic). */
const IDLE_REQUESTS = 20;

/**
 * `serve` in one process, or as one worker of `serve --workers N` (`worker` set): starts the
 * server, prints the banner (a worker tells its primary instead, which prints it once), and stops
 * on SIGTERM (drain) or SIGINT (at once).
 */
export async function serveOneProcess(
  config: Config,
  demo: boolean,
  ctx: CliContext,
  worker?: WorkerRole,
): Promise<void> {
  // the server's code loads only here: every other command starts without it
  const [{ DEMO_DIR, startServer }, { createLogger, redactUrlCredentials }] = await Promise.all([
    import('../main.js'),
    import('../shared/logger.js'),
  ]);
  // a worker's lines name it: N workers write to one stream (relayed whole by the primary)
  const logger = worker ? createLogger({ level: config.logLevel }).child({ worker: worker.slot }) : undefined;
  // V8 reads it at every full collection, so setting it now takes effect (ADR 0011)
  if (config.gcHeapGrowingPercent > 0)
    setFlagsFromString(`--heap-growing-percent=${config.gcHeapGrowingPercent}`);
  // One pair of signal handlers for the whole life of the process. During the start (waiting for
  // the database, migrating, loading) a signal aborts it and the process ends cleanly: exit()
  // flushes the buffered log lines, which the default action would lose; a second one ends it at
  // once. After the start, `stop` below. The handlers are never swapped: removing a signal's last
  // listener stops libuv's watcher, and a signal already caught but not yet dispatched is lost,
  // so one that came while the server began to listen was never acted on.
  // aborted with the signal as its reason
  const starting = new AbortController();
  let stopOnSignal: ((signal: NodeJS.Signals) => void) | undefined = undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopOnSignal) return stopOnSignal(signal);
    if (starting.signal.aborted) process.exit(1);
    starting.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let server: RunningServer;
  try {
    server = await startServer(config, {
      demo,
      signal: starting.signal,
      ...(worker && logger ? { worker, logger } : {}),
      onWaiting: (url, reason) =>
        ctx.io.err(`modelgate is waiting for the database (${reason}); /health and /ready answer on ${url}`),
    });
  } catch (err) {
    if (!starting.signal.aborted) throw err;
    process.exit(0);
  }
  // what loading left behind goes back to the system before traffic comes, and again after
  // each burst of traffic (src/shared/memory-reducer.ts)
  reduceMemory();
  let received = 0;
  server.app.server.on('request', () => received++);
  const reducer = new IdleMemoryReducer(() => received, IDLE_REDUCE_MS, IDLE_REQUESTS);
  // SIGTERM (Kubernetes, docker stop, systemd) drains first: /ready answers 503 while requests
  // are still served, so load balancers take this replica out before it stops listening.
  // SIGINT (Ctrl-C at a terminal) and a second signal during the drain skip it. In place before
  // the primary hears that this worker is ready: it forwards signals to ready workers at once.
  const skipDrain = new AbortController();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      skipDrain.abort();
      return;
    }
    stopping = true;
    reducer.stop();
    server.app.log.info({ signal }, 'shutting down');
    const drainMs = signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    server.drainAndClose(drainMs, skipDrain.signal).then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  stopOnSignal = stop;
  // a signal that came after the start's last check (while the server began to listen): the
  // start went on, so it is acted on now
  if (starting.signal.aborted) stop(starting.signal.reason as NodeJS.Signals);
  const where = config.databaseUrl
    ? `cluster: ${redactUrlCredentials(config.databaseUrl)}`
    : `embedded: ${server.runtime.db.location}`;
  if (worker) {
    worker.channel.ready({
      url: server.url,
      listenPort: server.listenPort,
      where,
      ...(server.generatedAdminKey ? { generatedAdminKey: server.generatedAdminKey } : {}),
    });
  } else {
    const cwd = process.cwd();
    ctx.io.err(
      serveBanner({
        url: server.url,
        where,
        ...(server.generatedAdminKey ? { generatedAdminKey: server.generatedAdminKey } : {}),
        demo,
        example: relative(cwd, `${DEMO_DIR}/breast-cancer/example-request.json`),
        cli: cliInvocation(ctx.env, cwd),
        ...(config.databaseUrl ? {} : { home: resolve(config.home) }),
        cwd,
      }),
    );
  }
}
