import type { Command } from 'commander';
import type { VersionDetailBody } from '../../client/index.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { writeOutput } from '../files.js';
import { printJson, printTable, type Io } from '../output.js';
import { lifecycleText } from './models-lifecycle.js';
import { aliasText } from './rollback.js';

const CARD_FORMATS = ['markdown', 'html', 'json'] as const;

function printVersion(io: Io, v: VersionDetailBody): void {
  io.out(
    `${v.display_id}  ${v.task}  aliases: ${v.aliases.join(', ') || '-'}  loaded: ${v.loaded ? 'yes' : 'no'}`,
  );
  io.out(`artifact sha256: ${v.artifact_sha256}`);
  io.out(`lifecycle: ${lifecycleText(v.lifecycle)}`);
  const manifest = (v.manifest ?? {}) as {
    outputs?: { positive_label?: unknown };
    metrics?: Record<string, unknown>;
  };
  const labels = v.signature.labels;
  if (labels) {
    const positive = manifest.outputs?.positive_label;
    io.out(`labels: ${labels.join(', ')}${typeof positive === 'string' ? ` (positive: ${positive})` : ''}`);
  }
  printTable(
    io,
    ['file', 'sha256', 'bytes'],
    v.files.map((f) => [f.path, f.sha256, f.size]),
  );
  printTable(
    io,
    ['feature', 'type', 'min', 'max', 'values', 'nullable'],
    v.signature.features.map((f) => [
      f.name,
      f.type,
      f.min,
      f.max,
      f.values?.join(', '),
      f.nullable ? 'yes' : 'no',
    ]),
  );
  const metrics = Object.entries(manifest.metrics ?? {});
  if (metrics.length === 0) io.out('declared metrics: none');
  else
    printTable(
      io,
      ['declared metric', 'value'],
      metrics.map(([k, x]) => [k, String(x)]),
    );
}

/** `models show` and `models card`: what the registry knows about a model or a version. */
export function modelsShowCommands(models: Command, ctx: CliContext): void {
  models
    .command('show <name> [version]')
    .description(
      'show a model (its versions) or one version (files, hashes, features, labels, declared metrics)',
    )
    .action(async (name: string, version: string | undefined, _o, cmd: Command) => {
      const client = clientFor(cmd, ctx);
      if (version !== undefined) {
        const v = await client.getVersion(name, version);
        return wantsJson(cmd) ? printJson(ctx.io, v) : printVersion(ctx.io, v);
      }
      const m = await client.getModel(name);
      if (wantsJson(cmd)) return printJson(ctx.io, m);
      ctx.io.out(`${m.name}  ${aliasText(m.aliases) || '(no aliases)'}`);
      printTable(
        ctx.io,
        ['version', 'id', 'task', 'artifact sha256', 'created', 'by', 'lifecycle'],
        m.versions.map((v) => [
          v.version,
          v.display_id,
          v.task,
          v.artifact_sha256.slice(0, 16) + '…',
          v.created_at,
          v.created_by,
          lifecycleText(v.lifecycle),
        ]),
      );
    });

  models
    .command('card <name> <version>')
    .description("print (or write) a version's model card; --json: its fields as JSON")
    .option('--format <format>', `${CARD_FORMATS.join(', ')}`, 'markdown')
    .option('--out <file>', 'write the card to this file instead of printing it')
    .action(async (name: string, version: string, o: { format: string; out?: string }, cmd: Command) => {
      const format = wantsJson(cmd) ? 'json' : o.format;
      if (!(CARD_FORMATS as readonly string[]).includes(format))
        throw usage(`--format takes ${CARD_FORMATS.join(', ')}, not '${format}'`);
      const client = clientFor(cmd, ctx);
      const card =
        format === 'json'
          ? JSON.stringify(await client.cardData(name, version), null, 2)
          : await client.card(name, version, format as 'markdown' | 'html');
      if (!o.out) return ctx.io.out(card);
      writeOutput(o.out, card);
      if (wantsJson(cmd)) printJson(ctx.io, { out: o.out });
      else ctx.io.out(`wrote the model card of ${name} ${version} to ${o.out}`);
    });
}
