import type { Command } from 'commander';
import type { ApiKeyService } from '../../modules/security/api-key-service.js';
import { generateApiKey } from '../../modules/security/api-key.js';
import { SCOPES, type Scope } from '../../modules/security/scopes.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

interface KeyView {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  created_by: string;
  revoked_at: string | null;
}

/**
 * `--local` works on this machine's store directly (MODELGATE_HOME or DATABASE_URL), without a
 * running server or a key: the way back in when the only admin key is lost.
 */
async function withLocalKeys<T>(ctx: CliContext, fn: (keys: ApiKeyService) => Promise<T>): Promise<T> {
  // the store's code (database drivers) loads only for --local: remote commands start faster
  const [
    { loadConfig },
    { ApiKeyService },
    { SqlApiKeyStore },
    { systemClock },
    { openDatabase },
    { migrate },
  ] = await Promise.all([
    import('../../config/load-config.js'),
    import('../../modules/security/api-key-service.js'),
    import('../../modules/security/api-key-store.js'),
    import('../../shared/clock.js'),
    import('../../store/database.js'),
    import('../../store/migrate.js'),
  ]);
  const config = loadConfig({ env: ctx.env });
  const db = openDatabase({ databaseUrl: config.databaseUrl, home: config.home, poolSize: 2 });
  try {
    await migrate(db);
    return await fn(new ApiKeyService(new SqlApiKeyStore(db.db, systemClock), systemClock));
  } finally {
    await db.close();
  }
}

const view = (r: {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
}): KeyView => ({
  id: r.id,
  name: r.name,
  scopes: r.scopes,
  created_at: r.createdAt,
  created_by: r.createdBy,
  revoked_at: r.revokedAt,
});

function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopes.filter((s) => !SCOPES.includes(s as Scope));
  if (scopes.length === 0 || bad.length > 0)
    throw usage(`--scopes takes a comma-separated list of ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

export function keysCommand(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`)
    .option('--local', 'write to the local store directly, without a server')
    .description('create an API key; the key is printed once and only its hash is stored')
    .action(async (o: { name: string; scopes: string; local?: boolean }, cmd: Command) => {
      const scopes = parseScopes(o.scopes);
      const created = o.local
        ? await withLocalKeys(ctx, async (s) => {
            const { record, key } = await s.create(o.name, scopes, { id: 'cli:local' });
            return { ...view(record), key };
          })
        : await clientFor(cmd, ctx).createKey(o.name, scopes);
      if (wantsJson(cmd)) return printJson(ctx.io, created);
      ctx.io.out(`created key ${created.id} (${created.name}; scopes ${created.scopes.join(', ')})`);
      ctx.io.out(`key (shown once, store it now): ${created.key}`);
    });

  keys
    .command('generate')
    .description(
      'print a fresh admin key in the accepted format, for MODELGATE_ADMIN_KEY (nothing is stored: the server accepts it once it starts with it)',
    )
    .action((_o, cmd: Command) => {
      const { id, key } = generateApiKey();
      if (wantsJson(cmd)) return printJson(ctx.io, { id, key });
      ctx.io.out(key);
      ctx.io.err(
        `key ${id}: start the server with MODELGATE_ADMIN_KEY set to it (or MODELGATE_ADMIN_KEY_FILE naming a file that holds it)`,
      );
    });

  keys
    .command('list')
    .option('--local', 'read the local store directly')
    .description('list API keys (never their secrets)')
    .action(async (o: { local?: boolean }, cmd: Command) => {
      const list = o.local
        ? await withLocalKeys(ctx, async (s) => (await s.list()).map(view))
        : await clientFor(cmd, ctx).listKeys();
      if (wantsJson(cmd)) return printJson(ctx.io, list);
      printTable(
        ctx.io,
        ['id', 'name', 'scopes', 'created', 'revoked'],
        list.map((k) => [k.id, k.name, k.scopes.join(','), k.created_at, k.revoked_at ?? '']),
      );
    });

  keys
    .command('revoke <id>')
    .option('--local', 'write to the local store directly')
    .description('revoke an API key; it stops working at once')
    .action(async (id: string, o: { local?: boolean }, cmd: Command) => {
      const r = o.local
        ? await withLocalKeys(ctx, async (s) => view(await s.revoke(id, { id: 'cli:local' })))
        : await clientFor(cmd, ctx).revokeKey(id);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      ctx.io.out(`revoked key ${r.id} (${r.name}) at ${r.revoked_at}`);
    });
}
