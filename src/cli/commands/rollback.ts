import type { Command } from 'commander';
import type { AliasMoveResponse } from '../../client/index.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson } from '../output.js';

export const aliasText = (a: Record<string, string | undefined>): string =>
  ['production', 'staging', 'previous']
    .filter((k) => a[k])
    .map((k) => `${k}=${a[k]}`)
    .join(' ');

/** What a rollback did, in one line: aborted a rollout, moved production, or nothing. */
export function rollbackText(r: AliasMoveResponse): string {
  const aliases = aliasText(r.aliases);
  if (r.rollout_aborted)
    return `${r.model}: aborted rollout ${r.rollout_aborted}; all traffic on ${r.aliases.production ?? '-'} (${aliases})`;
  if (r.changed) return `${r.model}: rolled back; now ${aliases}`;
  return `${r.model}: unchanged; ${r.aliases.production ?? '-'} is already production (${aliases})`;
}

/**
 * `modelgate rollback` and `modelgate models rollback`: one behaviour, one output. During a
 * rollout, the rollout is aborted (all traffic to stable at once, audited); otherwise production
 * goes back to previous, or to the version given with --to.
 */
export function rollbackCommand(parent: Command, ctx: CliContext): void {
  parent
    .command('rollback <model>')
    .description(
      'one command, any time: abort the active rollout, or else move production back to previous (or to --to)',
    )
    .option('--to <version>', 'roll production back to this version instead of previous')
    .action(async (model: string, o: { to?: string }, cmd: Command) => {
      const r = await clientFor(cmd, ctx).rollback(model, o.to);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      ctx.io.out(rollbackText(r));
    });
}
