import { relative } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { DEMO_DIR, startServer } from '../../main.js';
import { redactUrlCredentials } from '../../shared/logger.js';
import { openDatabase } from '../../store/database.js';
import { migrate } from '../../store/migrate.js';
import type { CliContext } from '../context.js';

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
      const config = loadConfig({ env: ctx.env, overrides: { host: o.host, port: o.port, home: o.home } });
      const server = await startServer(config, { demo: o.demo === true });
      const where = config.databaseUrl
        ? `cluster: ${redactUrlCredentials(config.databaseUrl)}`
        : `embedded: ${server.runtime.db.location}`;
      const lines = [`modelgate listening on ${server.url} (${where})`];
      if (server.generatedAdminKey) {
        lines.push(
          '',
          'Admin API key (shown once; store it now, only its hash is kept):',
          `  ${server.generatedAdminKey}`,
        );
      }
      if (o.demo) {
        const example = relative(process.cwd(), `${DEMO_DIR}/breast-cancer/example-request.json`);
        lines.push(
          '',
          'Try the demo model:',
          `  export MODELGATE_API_KEY=${server.generatedAdminKey ?? '<your key; lost it? modelgate keys create --local --name me --scopes admin>'}`,
          `  curl -s ${server.url}/v1/models/breast-cancer/predict -H "Authorization: Bearer $MODELGATE_API_KEY" \\`,
          `    -H 'content-type: application/json' -d @${example}`,
        );
      }
      ctx.io.err(lines.join('\n'));

      const stop = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            server.app.log.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit (serve also does this at start)')
    .action(async () => {
      const config = loadConfig({ env: ctx.env });
      const db = openDatabase({ databaseUrl: config.databaseUrl, home: config.home, poolSize: 2 });
      try {
        const applied = await migrate(db);
        ctx.io.out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });
}
