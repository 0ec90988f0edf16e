import type { Command } from 'commander';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { parseJsonInput, readInput } from '../files.js';
import { printJson, printTable } from '../output.js';

/** `modelgate predict <model>` with instances as JSON: --data, --file, or standard input. */
export function predictCommand(program: Command, ctx: CliContext): void {
  program
    .command('predict <name>')
    .option('--version <version>', 'pin a version instead of production')
    .option('--data <json>', 'an instance object, an array of them, or {"instances": [...]}')
    .option('--file <path>', 'read the JSON from a file ("-" for standard input)')
    .description('send instances to a model and print its predictions')
    .action(async (name: string, o: { version?: string; data?: string; file?: string }, cmd: Command) => {
      if (o.data === undefined && o.file === undefined)
        throw usage('give the instances with --data or --file');
      const text = o.data ?? readInput(o.file!, 'instances');
      const instances = toInstances(parseJsonInput(text, o.data !== undefined ? '--data' : o.file!));
      const r = await clientFor(cmd, ctx).predict(name, instances, o.version ? { version: o.version } : {});
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      ctx.io.out(`${r.model} ${r.version}  prediction ${r.prediction_id}`);
      printTable(
        ctx.io,
        ['#', 'prediction', 'probabilities'],
        r.predictions.map((p, i) => [
          i,
          p.label ?? p.value,
          p.probabilities
            ? Object.entries(p.probabilities)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')
            : '',
        ]),
      );
    });
}

function toInstances(value: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(value)) return value as Array<Record<string, unknown>>;
  if (value && typeof value === 'object' && Array.isArray((value as { instances?: unknown }).instances)) {
    return (value as { instances: Array<Record<string, unknown>> }).instances;
  }
  return [value as Record<string, unknown>];
}
