import type { Command } from 'commander';
import type { AliasMoveResponse } from '../../client/index.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { printJson, printTable, SilentExit, type Io } from '../output.js';
import { modelsLifecycleCommands } from './models-lifecycle.js';
import { modelsShowCommands } from './models-show.js';
import { aliasText, rollbackCommand } from './rollback.js';

function printMove(io: Io, r: AliasMoveResponse, verb: string): void {
  io.out(
    r.changed
      ? `${r.model}: ${verb}; now ${aliasText(r.aliases)}`
      : `${r.model}: unchanged (${aliasText(r.aliases)})`,
  );
}

export function modelsCommand(program: Command, ctx: CliContext): void {
  const models = program
    .command('models')
    .description('register, inspect, promote and roll back model versions');

  models
    .command('list')
    .description('list models and their aliases')
    .action(async (_o, cmd: Command) => {
      const list = await clientFor(cmd, ctx).listModels();
      if (wantsJson(cmd)) return printJson(ctx.io, list);
      printTable(
        ctx.io,
        ['model', 'production', 'staging', 'previous', 'versions', 'latest', 'deprecated', 'archived'],
        list.map((m) => [
          m.name,
          m.aliases.production,
          m.aliases.staging,
          m.aliases.previous,
          m.version_count,
          m.latest_version,
          m.version_states.deprecated,
          m.version_states.archived,
        ]),
      );
    });

  modelsShowCommands(models, ctx);
  modelsLifecycleCommands(models, ctx);

  models
    .command('register <manifest>')
    .description('register a version from a manifest (YAML/JSON) and the files it lists')
    .action(async (manifest: string, _o, cmd: Command) => {
      const r = await clientFor(cmd, ctx).registerVersion(manifest);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      const v = r.version;
      ctx.io.out(
        `${r.created ? 'registered' : 'already registered'} ${v.model} ${v.version} (${v.display_id}) sha256 ${v.artifact_sha256}`,
      );
    });

  models
    .command('promote <name> <version>')
    .description('make a version the production version (loaded and warmed before the switch)')
    .option('--override-policy <reason>', 'promote although the promotion policy refuses it (audited)')
    .action(async (name: string, version: string, o: { overridePolicy?: string }, cmd: Command) => {
      const r = await clientFor(cmd, ctx).promote(
        name,
        version,
        o.overridePolicy !== undefined ? { overrideReason: o.overridePolicy } : {},
      );
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      printMove(ctx.io, r, `promoted ${version}`);
    });

  rollbackCommand(models, ctx);

  models
    .command('stage <name> [version]')
    .option('--clear', 'remove the staging alias')
    .description('point the staging alias at a version (or clear it)')
    .action(async (name: string, version: string | undefined, o: { clear?: boolean }, cmd: Command) => {
      if (version === undefined && !o.clear) throw usage('give a version, or --clear');
      if (version !== undefined && o.clear) throw usage('give a version or --clear, not both');
      const r = await clientFor(cmd, ctx).setAlias(name, 'staging', version ?? null);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      ctx.io.out(`${r.model}: ${aliasText(r.aliases)}`);
    });

  models
    .command('evaluate <name> <version>')
    .description('run a version over labelled data and record its metrics with the data hash')
    .requiredOption('--data <csv>', 'CSV with a header row: the features and the label column')
    .requiredOption('--label <column>', 'the column holding the true label (or value)')
    .action(async (name: string, version: string, o: { data: string; label: string }, cmd: Command) => {
      const e = await clientFor(cmd, ctx).evaluate(name, version, o.data, o.label);
      if (wantsJson(cmd)) return printJson(ctx.io, e);
      ctx.io.out(
        `${e.model} ${e.version}: evaluation ${e.id} on ${e.rows} rows of ${e.data_name ?? 'data'} (sha256 ${e.data_sha256})`,
      );
      printTable(
        ctx.io,
        ['metric', 'value'],
        Object.entries(e.metrics).map(([k, v]) => [k, v === null ? 'n/a' : Number(v.toFixed(4))]),
      );
    });

  models
    .command('verify <name> <version>')
    .description("re-hash a version's stored files; exits 1 when any differs from its registered SHA-256")
    .action(async (name: string, version: string, _o, cmd: Command) => {
      const r = await clientFor(cmd, ctx).verify(name, version);
      if (wantsJson(cmd)) printJson(ctx.io, r);
      else {
        printTable(
          ctx.io,
          ['file', 'expected', 'actual', 'ok'],
          r.files.map((f) => [f.path, f.expected, f.actual ?? 'missing', f.ok ? 'ok' : 'MISMATCH']),
        );
        ctx.io.out(r.ok ? `${name} ${version}: intact` : `${name} ${version}: INTEGRITY FAILURE`);
      }
      if (!r.ok) throw new SilentExit(1);
    });

  models
    .command('readiness <name> <version>')
    .description(
      'go/no-go for production: hash verified, smoke tests, promotion policy, drift reference, model card, labels, rollback target, deployment window; exits 1 on no-go',
    )
    .action(async (name: string, version: string, _o, cmd: Command) => {
      const r = await clientFor(cmd, ctx).readiness(name, version);
      if (wantsJson(cmd)) printJson(ctx.io, r);
      else {
        printTable(
          ctx.io,
          ['check', 'verdict', 'reason'],
          r.checks.map((c) => [c.name, c.verdict === 'pass' ? 'pass' : c.verdict.toUpperCase(), c.reason]),
        );
        const warns = r.checks.filter((c) => c.verdict === 'warn').length;
        const fails = r.checks.filter((c) => c.verdict === 'fail').length;
        ctx.io.out(
          `${name} ${version}: ${r.go ? 'GO' : 'NO-GO'} (${fails} failed, ${warns} warning${warns === 1 ? '' : 's'})`,
        );
      }
      if (!r.go) throw new SilentExit(1);
    });
}
