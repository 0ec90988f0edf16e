import type { Command } from 'commander';
import { Option } from 'commander';
import type { AliasMoveResponse } from '../../client/index.js';
import { clientFor, selectedVersion, wantsJson, type CliContext } from '../context.js';
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
 * goes back to previous, or to the version given.
 */
export function rollbackCommand(parent: Command, ctx: CliContext): void {
  parent
    .command('rollback <model> [version]')
    .description(
      'one command, any time: abort the active rollout, or else move production back to previous (or to the version given)',
    )
    .addOption(new Option('--to <version>', 'deprecated: give the version as an argument').hideHelp())
    .action(async (model: string, positional: string | undefined, o: { to?: string }, cmd: Command) => {
      const to = selectedVersion(ctx, positional, {
        name: '--to',
        value: o.to,
        usage: `modelgate rollback ${model} ${o.to ?? '<version>'}`,
      });
      const r = await clientFor(cmd, ctx).rollback(model, to);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      ctx.io.out(rollbackText(r));
    });
}
