import { relative, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import type { RunningServer } from '../../main.js';
import type { CliContext } from '../context.js';
import { cliInvocation } from '../invocation.js';
import { serveBanner } from '../serve-banner.js';

interface ServeOptions {
  demo?: boolean;
  host?: string;
  port?: string;
  home?: string;
}

export function serveCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the server (embedded SQLite by default; PostgreSQL when DATABASE_URL is set)')
    .option('--demo', 'register the demo model and promote it when nothing serves yet')
    .option('--host <host>', 'address to bind (MODELGATE_HOST)')
    .option('--port <port>', 'port (MODELGATE_PORT)')
    .option('--home <dir>', 'data directory (MODELGATE_HOME)')
    .action(async (o: ServeOptions) => {
      // the server's code loads only here: every other command starts without it
      const [{ loadConfig }, { DEMO_DIR, startServer }, { redactUrlCredentials }] = await Promise.all([
        import('../../config/load-config.js'),
        import('../../main.js'),
        import('../../shared/logger.js'),
      ]);
      const config = loadConfig({ env: ctx.env, overrides: { host: o.host, port: o.port, home: o.home } });
      // V8 reads it at every full collection, so setting it now takes effect (ADR 0011)
      if (config.gcHeapGrowingPercent > 0)
        setFlagsFromString(`--heap-growing-percent=${config.gcHeapGrowingPercent}`);
      // A signal during the start (waiting for the database, migrating, loading) ends the process
      // cleanly: exit() flushes the buffered log lines, which the default action would lose.
      const starting = new AbortController();
      const early = () => starting.abort();
      process.once('SIGTERM', early);
      process.once('SIGINT', early);
      let server: RunningServer;
      try {
        server = await startServer(config, {
          demo: o.demo === true,
          signal: starting.signal,
          onWaiting: (url, reason) =>
            ctx.io.err(
              `modelgate is waiting for the database (${reason}); /health and /ready answer on ${url}`,
            ),
        });
      } catch (err) {
        if (!starting.signal.aborted) throw err;
        process.exit(0);
      } finally {
        process.off('SIGTERM', early);
        process.off('SIGINT', early);
      }
      const cwd = process.cwd();
      ctx.io.err(
        serveBanner({
          url: server.url,
          where: config.databaseUrl
            ? `cluster: ${redactUrlCredentials(config.databaseUrl)}`
            : `embedded: ${server.runtime.db.location}`,
          ...(server.generatedAdminKey ? { generatedAdminKey: server.generatedAdminKey } : {}),
          demo: o.demo === true,
          example: relative(cwd, `${DEMO_DIR}/breast-cancer/example-request.json`),
          cli: cliInvocation(ctx.env, cwd),
          ...(config.databaseUrl ? {} : { home: resolve(config.home) }),
          cwd,
        }),
      );

      // SIGTERM (Kubernetes, docker stop, systemd) drains first: /ready answers 503 while requests
      // are still served, so load balancers take this replica out before it stops listening.
      // SIGINT (Ctrl-C at a terminal) and a second signal during the drain skip it.
      const skipDrain = new AbortController();
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          skipDrain.abort();
          return;
        }
        stopping = true;
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
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit (serve also does this at start)')
    .action(async () => {
      const [{ loadConfig }, { openDatabase }, { migrate }] = await Promise.all([
        import('../../config/load-config.js'),
        import('../../store/database.js'),
        import('../../store/migrate.js'),
      ]);
      const config = loadConfig({ env: ctx.env });
      // no statement timeout: an index built on a large table may take minutes (ADR 0009)
      const db = openDatabase({
        databaseUrl: config.databaseUrl,
        home: config.home,
        poolSize: 2,
        timeouts: {
          connectMs: config.databaseConnectTimeoutMs,
          statementMs: 0,
          idleInTransactionMs: config.databaseIdleInTransactionTimeoutMs,
        },
      });
      try {
        const applied = await migrate(db);
        ctx.io.out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });
}
