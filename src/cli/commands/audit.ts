import type { Command } from 'commander';
import type { AuditFilter } from '../../client/client.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { parseTimeOption } from '../time-option.js';
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
    .option('--since <time>', 'from this time, inclusive: a duration back from now (30m, 1h, 7d) or ISO 8601')
    .option('--until <time>', 'up to this time, exclusive: a duration back from now or ISO 8601')
    .option('--limit <n>', 'events per page (1-500)', '50')
    .option('--cursor <cursor>', 'continue after a previous page (its next cursor)')
    .action(async (o: AuditOptions, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw usage('--limit takes an integer from 1 to 500');
      const filter: AuditFilter = { limit };
      for (const k of ['model', 'principal', 'cursor'] as const) {
        if (o[k] !== undefined) filter[k] = o[k];
      }
      const now = (ctx.now ?? Date.now)();
      if (o.since !== undefined) filter.since = parseTimeOption('--since', o.since, now);
      if (o.until !== undefined) filter.until = parseTimeOption('--until', o.until, now);
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
