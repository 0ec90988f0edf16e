import type { Command } from 'commander';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson, printTable, SilentExit } from '../output.js';
import { runSmokeChecks } from '../smoke-checks.js';

interface SmokeCommandOptions {
  model?: string;
  wait: string;
  sloP99: string;
  samples: string;
}

/** A positive number given on the command line (`--wait 90`), or a usage error naming the option. */
export function numberOption(option: string, text: string, { min = 0, integer = false } = {}): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw usage(`${option} takes ${integer ? 'an integer' : 'a number'} >= ${min}, not '${text}'`);
  return n;
}

/** `modelgate smoke`: the post-deploy checks; a table (or JSON), a line per failure, exit 1 on any. */
export function smokeCommand(program: Command, ctx: CliContext): void {
  program
    .command('smoke')
    .description(
      "post-deploy checks of a running endpoint: health, readiness, every production model's smoke tests, the predict and V2 routes, p99 latency; exits 1 when one fails",
    )
    .option('--model <name>', 'check this model only (default: every model with a production version)')
    .option('--wait <seconds>', 'how long to wait for /ready to turn ready', '60')
    .option('--slo-p99 <ms>', 'fail when the p99 latency of sequential predictions exceeds this', '1000')
    .option('--samples <n>', 'predictions in the latency probe', '20')
    .action(async (o: SmokeCommandOptions, cmd: Command) => {
      const waitMs = numberOption('--wait', o.wait) * 1000;
      const p99Ms = numberOption('--slo-p99', o.sloP99);
      const samples = numberOption('--samples', o.samples, { min: 1, integer: true });
      const client = clientFor(cmd, ctx);
      const checks = await runSmokeChecks(client, {
        ...(o.model ? { model: o.model } : {}),
        waitMs,
        p99Ms,
        samples,
        sleep: ctx.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
        now: ctx.now ?? Date.now,
      });
      const failed = checks.filter((c) => !c.ok);
      if (wantsJson(cmd)) printJson(ctx.io, { ok: failed.length === 0, checks });
      else {
        printTable(
          ctx.io,
          ['check', 'result', 'detail'],
          checks.map((c) => [c.check, c.ok ? 'pass' : 'FAIL', c.detail]),
        );
        ctx.io.out(
          failed.length === 0
            ? `smoke: PASS (${checks.length} checks)`
            : `smoke: FAIL (${failed.length} of ${checks.length} checks failed)`,
        );
      }
      for (const c of failed) ctx.io.err(`FAIL ${c.check}: ${c.detail}`);
      if (failed.length > 0) throw new SilentExit(1);
    });
}
