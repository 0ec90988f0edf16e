import type { Command } from 'commander';
import { Option } from 'commander';
import { usage } from '../cli-error.js';
import { clientFor, selectedVersion, wantsJson, type CliContext } from '../context.js';
import { parseJsonInput, readInput } from '../files.js';
import { printJson, printTable } from '../output.js';

interface PredictOptions {
  version?: string;
  data?: string;
  file?: string;
}

/** `modelgate predict <model> [version]` with instances as JSON: --data, --file, or standard input. */
export function predictCommand(program: Command, ctx: CliContext): void {
  program
    .command('predict <name> [version]')
    .description('send instances to a model and print its predictions (production, or the version given)')
    .option('--data <json>', 'an instance object, an array of them, or {"instances": [...]}')
    .option('--file <path>', 'read the JSON from a file ("-" for standard input)')
    .addOption(new Option('--version <version>', 'deprecated: give the version as an argument').hideHelp())
    .action(async (name: string, positional: string | undefined, o: PredictOptions, cmd: Command) => {
      const version = selectedVersion(ctx, positional, {
        name: '--version',
        value: o.version,
        usage: `modelgate predict ${name} ${o.version ?? '<version>'}`,
      });
      if (o.data === undefined && o.file === undefined)
        throw usage('give the instances with --data or --file');
      const text = o.data ?? readInput(o.file!, 'instances');
      const instances = toInstances(parseJsonInput(text, o.data !== undefined ? '--data' : o.file!));
      const client = clientFor(cmd, ctx);
      const r = await client.predict(name, instances, version !== undefined ? { version } : {});
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
