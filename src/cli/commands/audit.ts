import type { Command } from 'commander';
import type { AuditFilter } from '../../client/client.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson, printTable } from '../output.js';

interface AuditOptions {
  model?: string;
  principal?: string;
  since?: string;
  until?: string;
  limit: string;
  cursor?: string;
}

/** `modelgate audit`: who changed what, newest first (admin scope). */
export function auditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description('show the audit log, newest first (needs an admin key)')
    .option('--model <name>', 'only events of this model')
    .option('--principal <id>', 'only events by this principal (e.g. key:Ab12Cd34Ef56)')
    .option('--since <time>', 'ISO 8601 time, inclusive')
    .option('--until <time>', 'ISO 8601 time, exclusive')
    .option('--limit <n>', 'events per page (1-500)', '50')
    .option('--cursor <cursor>', 'continue after a previous page (its next cursor)')
    .action(async (o: AuditOptions, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw usage('--limit takes an integer from 1 to 500');
      const filter: AuditFilter = { limit };
      for (const k of ['model', 'principal', 'since', 'until', 'cursor'] as const) {
        if (o[k] !== undefined) filter[k] = o[k];
      }
      const page = await clientFor(cmd, ctx).listAudit(filter);
      if (wantsJson(cmd)) return printJson(ctx.io, page);
      printTable(
        ctx.io,
        ['id', 'at', 'principal', 'action', 'model', 'version', 'change'],
        page.events.map((e) => [
          String(e.id),
          e.at,
          e.principal,
          e.action,
          e.model ?? '',
          e.version ?? '',
          change(e.before, e.after),
        ]),
      );
      if (page.next_cursor) ctx.io.out(`more: modelgate audit --cursor ${page.next_cursor}`);
    });
}

function change(before: unknown, after: unknown): string {
  const show = (v: unknown) => (v === null || v === undefined ? '-' : JSON.stringify(v));
  const text = `${show(before)} -> ${show(after)}`;
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
