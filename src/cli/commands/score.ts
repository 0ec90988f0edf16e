import type { Command } from 'commander';
import { ModelgateLocalError } from '../../client/local-files.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson } from '../output.js';
import { ResultFile } from '../score/result-file.js';
import { formatOf, openRowSource } from '../score/row-source.js';
import { runScore } from '../score/score-run.js';

interface ScoreFlags {
  data?: string;
  out?: string;
  batchSize: string;
  concurrency: string;
  idColumn?: string;
  resume?: boolean;
  force?: boolean;
  errors?: string;
}

const positiveInt = (value: string, flag: string, max: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw usage(`${flag} must be a whole number from 1 to ${max}, got '${value}'`);
  return n;
};

/** `modelgate score NAME [VERSION] --data in.csv --out out.csv`: batch scoring through predict. */
export function scoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('score <name> [version]')
    .description('score a CSV or JSONL file of any size through the predict API, in order, resumable')
    .option('--data <path>', 'input rows: .csv (header row) or .jsonl (one instance object a line)')
    .option('--out <path>', 'scores: .csv or .jsonl, one line per scored row, in input order')
    .option('--batch-size <n>', 'rows per request', '1000')
    .option('--concurrency <n>', 'requests in flight', '4')
    .option('--id-column <name>', "the input's id column (default: 'id' when present, else the row number)")
    .option('--errors <path>', 'rows the server refused, with its problems (default: OUT.errors.jsonl)')
    .option('--resume', 'continue an interrupted run: keep --out and skip the rows it holds')
    .option('--force', 'overwrite --out and --errors')
    .action(async (name: string, version: string | undefined, o: ScoreFlags, cmd: Command) => {
      if (!o.data || !o.out) throw usage('give the input with --data and where to write with --out');
      if (o.resume && o.force) throw usage('give --resume or --force, not both');
      const batchSize = positiveInt(o.batchSize, '--batch-size', 100_000);
      const concurrency = positiveInt(o.concurrency, '--concurrency', 64);
      const outFormat = formatOf(o.out, '--out');
      formatOf(o.data, '--data');
      const client = clientFor(cmd, ctx);
      const features = await servedFeatures(client, name, version);
      const source = openRowSource(o.data, features, o.idColumn);
      const errorsPath = o.errors ?? `${o.out}.errors.jsonl`;
      const open = { resume: o.resume === true, force: o.force === true };
      const out = ResultFile.open(o.out, { ...open, format: outFormat });
      let errors: ResultFile;
      try {
        errors = ResultFile.open(errorsPath, { ...open, format: 'jsonl' });
      } catch (err) {
        out.close();
        throw err;
      }
      const now = ctx.now ?? Date.now;
      try {
        const summary = await runScore(
          source,
          {
            client,
            model: name,
            version,
            sleep: ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
          },
          {
            batchSize,
            concurrency,
            out,
            outFormat,
            errors,
            now,
            ...(ctx.io.status ? { progress: ctx.io.status } : {}),
          },
        );
        if (wantsJson(cmd)) return printJson(ctx.io, { ...summary, out: o.out, errors_file: errorsPath });
        ctx.io.out(
          `scored ${summary.scored} rows, ${summary.errors} errors${summary.skipped > 0 ? `, ${summary.skipped} skipped (already in ${o.out})` : ''} in ${summary.seconds.toFixed(1)} s: ${Math.round(summary.rowsPerSecond)} rows/s`,
        );
        ctx.io.out(`scores: ${o.out}${summary.errors > 0 ? `; errors: ${errorsPath}` : ''}`);
      } finally {
        out.close();
        errors.close();
      }
    });
}

/** The features of the version that will answer (the one given, else production), to type CSV cells. */
async function servedFeatures(
  client: ReturnType<typeof clientFor>,
  name: string,
  version: string | undefined,
) {
  let v = version;
  if (v === undefined) {
    v = (await client.getModel(name)).aliases.production;
    if (v === undefined)
      throw new ModelgateLocalError(
        'INPUT_INVALID',
        `${name} has no production version: promote one, or give the version to score with`,
        name,
      );
  }
  return (await client.getVersion(name, v)).signature.features;
}
