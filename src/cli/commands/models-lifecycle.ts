import type { Command } from 'commander';
import type { GcResponse, LifecycleResponse } from '../../client/index.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson, printTable, type Io } from '../output.js';
import { parseDurationOption } from '../time-option.js';

const TRANSITIONS = {
  deprecate: 'deprecate a version: it keeps serving, answers carry a Deprecation header',
  archive: 'archive a version: no promote, stage or rollout; its artifact may be garbage-collected',
  restore: 'make a deprecated or archived version active again',
} as const;

/** A lifecycle as one line: "deprecated since … by …: reason". */
export function lifecycleText(l: LifecycleResponse['lifecycle']): string {
  if (l.changed_at === null) return l.state;
  const collected = l.artifact === 'collected' ? ' (artifact collected)' : '';
  return `${l.state} since ${l.changed_at}${l.changed_by ? ` by ${l.changed_by}` : ''}${l.reason ? `: ${l.reason}` : ''}${collected}`;
}

/** `models deprecate|archive|restore NAME VERSION --reason TEXT`. */
export function modelsLifecycleCommands(models: Command, ctx: CliContext): void {
  for (const [transition, description] of Object.entries(TRANSITIONS) as Array<
    [keyof typeof TRANSITIONS, string]
  >) {
    models
      .command(`${transition} <name> <version>`)
      .description(description)
      .requiredOption('--reason <text>', 'why (recorded with the version and in the audit log)')
      .action(async (name: string, version: string, o: { reason: string }, cmd: Command) => {
        const r = await clientFor(cmd, ctx).changeLifecycle(name, version, transition, o.reason);
        if (wantsJson(cmd)) return printJson(ctx.io, r);
        ctx.io.out(`${r.model} ${r.version}: ${r.changed ? '' : 'unchanged, '}${lifecycleText(r.lifecycle)}`);
      });
  }
}

function printGc(io: Io, r: GcResponse): void {
  printTable(
    io,
    ['model', 'version', 'archived', 'bytes'],
    r.versions.map((v) => [v.model, v.version, v.archived_at, v.bytes]),
  );
  for (const k of r.kept) io.out(`kept ${k.model} ${k.version}: ${KEPT[k.why]}`);
  const verb = r.applied ? 'deleted' : 'would delete';
  io.out(
    `${verb} ${r.blobs.length} blob(s), ${r.bytes} bytes, of ${r.versions.length} version(s) archived before ${r.cutoff}` +
      (r.applied ? '' : ' (dry run: --apply to delete)'),
  );
}

const KEPT = {
  alias: 'an alias points at it',
  rollout: 'an active rollout uses it',
  changed: 'it changed while gc ran',
} as const;

/** `gc [--older-than 30d] [--apply]`: garbage-collect archived versions' artifacts. */
export function gcCommand(program: Command, ctx: CliContext): void {
  program
    .command('gc')
    .description(
      'delete the artifacts of versions archived longer than --older-than (dry run unless --apply)',
    )
    .option(
      '--older-than <duration>',
      'retention: archived at least this long ago (90m, 12h, 30d, 2w)',
      '30d',
    )
    .option('--apply', 'delete; without it, only list what would be deleted and the bytes')
    .action(async (o: { olderThan: string; apply?: boolean }, cmd: Command) => {
      const r = await clientFor(cmd, ctx).gc({
        olderThanSeconds: parseDurationOption('--older-than', o.olderThan),
        apply: o.apply === true,
      });
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      printGc(ctx.io, r);
    });
}
