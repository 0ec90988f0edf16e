import { Value } from '@sinclair/typebox/value';
import type { Command } from 'commander';
import { Option } from 'commander';
import { DriftReportSchema } from '../../http/quality-schemas.js';
import { renderDriftReportHtml } from '../../modules/reports/drift-report.js';
import { CliError } from '../cli-error.js';
import { clientFor, selectedVersion, wantsJson, type CliContext } from '../context.js';
import { writeOutput } from '../files.js';
import { printJson } from '../output.js';

/** `modelgate report drift <model> [version]`: the drift report as one self-contained HTML file. */
export function reportCommand(program: Command, ctx: CliContext): void {
  const report = program.command('report').description('reports for people: drift');

  report
    .command('drift <model> [version]')
    .description(
      "write a version's drift report (charts per feature, scores, verdicts) as a self-contained HTML page (default: production)",
    )
    .requiredOption('--out <file>', 'the HTML file to write')
    .addOption(new Option('--version <version>', 'deprecated: give the version as an argument').hideHelp())
    .action(
      async (
        model: string,
        positional: string | undefined,
        o: { version?: string; out: string },
        cmd: Command,
      ) => {
        const version = selectedVersion(ctx, positional, {
          name: '--version',
          value: o.version,
          usage: `modelgate report drift ${model} ${o.version ?? '<version>'} --out ${o.out}`,
        });
        const r = await clientFor(cmd, ctx).drift(model, version);
        // the page is built from the server's JSON: only a report of the documented shape is drawn
        const errors = [...Value.Errors(DriftReportSchema, r)].slice(0, 3);
        if (errors.length > 0) {
          throw new CliError(
            'UNEXPECTED_ANSWER',
            `the server's drift report has an unexpected shape (${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}); nothing was written`,
          );
        }
        writeOutput(o.out, renderDriftReportHtml(r));
        if (wantsJson(cmd)) return printJson(ctx.io, { out: o.out, summary: r.summary });
        const drifted = r.summary.drifted_features;
        ctx.io.out(
          `${r.model} ${r.version}: ${r.window.rows} live rows; drift in ${drifted.length ? drifted.join(', ') : 'no feature'}` +
            `${r.summary.prediction_drifted ? '; the prediction drifted' : ''}. Wrote ${o.out}`,
        );
      },
    );
}
