import { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { rolloutCommand } from './commands/rollout.js';
import { keysCommand } from './commands/keys.js';
import { manifestCommand } from './commands/manifest.js';
import { modelsCommand } from './commands/models.js';
import { gcCommand } from './commands/models-lifecycle.js';
import { predictCommand } from './commands/predict.js';
import { reportCommand } from './commands/report.js';
import { scoreCommand } from './commands/score.js';
import { serveCommand } from './commands/serve.js';
import { smokeCommand } from './commands/smoke.js';
import { loadtestCommand } from './commands/loadtest.js';
import type { CliContext } from './context.js';
import { reportFailure } from './output.js';

export { VERSION } from '../shared/version.js';
import { VERSION } from '../shared/version.js';

const URL_OPTION = ['--url <url>', 'server URL (MODELGATE_URL; default http://127.0.0.1:8080)'] as const;
const KEY_OPTION = [
  '--api-key <key>',
  'API key (prefer MODELGATE_API_KEY or MODELGATE_API_KEY_FILE: arguments show in ps)',
] as const;
const JSON_OPTION = ['--json', 'print JSON instead of tables'] as const;

/** Commands that run on this machine only: no server options. */
const LOCAL = new Set(['generate', 'init']);

/**
 * Options are positional: the program's own (`--version`, `--url`, …) only before the command, so
 * a command's `--version <v>` reaches the command instead of printing the CLI's version. `--url`,
 * `--api-key` and `--json` are also every command's own, so they work after it as well.
 */
function addCommonOptions(cmd: Command): void {
  for (const sub of cmd.commands) {
    if (sub.commands.length > 0) {
      addCommonOptions(sub);
      continue;
    }
    if (sub.name() === 'serve' || sub.name() === 'migrate') continue;
    sub.option(...JSON_OPTION);
    if (!LOCAL.has(sub.name())) sub.option(...URL_OPTION).option(...KEY_OPTION);
  }
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('modelgate')
    .description('Serve ONNX models safely: versioned registry, validated inference, safe rollouts.')
    .version(VERSION, '-V, --version', 'print the version of this CLI')
    .enablePositionalOptions()
    .option(...URL_OPTION)
    .option(...KEY_OPTION)
    .option(...JSON_OPTION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      // commander's own usage errors, in the CLI's one-line form
      outputError: (s, write) =>
        write(
          `error: USAGE: ${s
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
  serveCommand(program, ctx);
  modelsCommand(program, ctx);
  gcCommand(program, ctx);
  keysCommand(program, ctx);
  predictCommand(program, ctx);
  auditCommand(program, ctx);
  rolloutCommand(program, ctx);
  reportCommand(program, ctx);
  manifestCommand(program, ctx);
  scoreCommand(program, ctx);
  smokeCommand(program, ctx);
  loadtestCommand(program, ctx);
  addCommonOptions(program);
  return program;
}

/** Runs one command line; resolves to the exit code (the serve command keeps the process alive). */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    return reportFailure(ctx.io, err);
  }
}
