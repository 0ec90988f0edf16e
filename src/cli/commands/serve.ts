import cluster from 'node:cluster';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface ServeOptions {
  demo?: boolean;
  host?: string;
  port?: string;
  home?: string;
  workers?: string;
}

export function serveCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the server (embedded SQLite by default; PostgreSQL when DATABASE_URL is set)')
    .option('--demo', 'register the demo model and promote it when nothing serves yet')
    .option('--host <host>', 'address to bind (MODELGATE_HOST)')
    .option('--port <port>', 'port (MODELGATE_PORT)')
    .option('--home <dir>', 'data directory (MODELGATE_HOME)')
    .option('--workers <n>', 'worker processes on the port (MODELGATE_WORKERS; 0: one per available CPU)')
    .action(async (o: ServeOptions) => {
      const [{ loadConfig }, { availableCpus }, { WORKER_ENV }] = await Promise.all([
        import('../../config/load-config.js'),
        import('../../workers/cpu-count.js'),
        import('../../workers/messages.js'),
      ]);
      // a worker joins the port its primary's first worker listens on (`--port 0` picks one)
      const port = cluster.isWorker ? (ctx.env[WORKER_ENV.port] ?? o.port) : o.port;
      const config = loadConfig({
        env: ctx.env,
        overrides: { host: o.host, port, home: o.home, workers: o.workers },
      });
      const demo = o.demo === true;
      const count = config.workers > 0 ? config.workers : availableCpus();
      if (cluster.isWorker) {
        const { WorkerChannel, processPort } = await import('../../workers/worker-channel.js');
        const worker = {
          slot: Number(ctx.env[WORKER_ENV.slot] ?? cluster.worker?.id ?? 1),
          first: ctx.env[WORKER_ENV.first] === '1',
          channel: new WorkerChannel(processPort()),
        };
        const { serveOneProcess } = await import('../serve-single.js');
        return serveOneProcess(config, demo, ctx, worker);
      }
      if (count > 1) {
        const { servePrimary } = await import('../serve-primary.js');
        return servePrimary(config, count, demo, ctx);
      }
      const { serveOneProcess } = await import('../serve-single.js');
      return serveOneProcess(config, demo, ctx);
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
