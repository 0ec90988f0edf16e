import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fileError, ModelgateLocalError } from '../../client/local-files.js';
import type { CliContext } from '../context.js';
import { wantsJson } from '../context.js';
import { initManifest } from '../manifest-init/init-manifest.js';
import { printJson } from '../output.js';

interface InitFlags {
  out: string;
  name?: string;
  version?: string;
  reference?: string;
  labelsFrom?: string;
  force?: boolean;
}

/** `modelgate manifest init MODEL.onnx --out manifest.yaml`: a manifest drafted from the graph. */
export function manifestCommand(program: Command, ctx: CliContext): void {
  const manifest = program.command('manifest').description('write and check model manifests');
  manifest
    .command('init <model>')
    .description(
      'draft a commented manifest from an ONNX file (and a sample CSV): what it cannot infer is marked TODO',
    )
    .requiredOption('--out <path>', "where to write the manifest (YAML), in the model's folder or above it")
    .option('--name <name>', "the model's name (default: the file's or its folder's name)")
    .option('--version <version>', 'the semantic version (default: a TODO)')
    .option(
      '--reference <csv>',
      'a sample of the training data: feature names, ranges, categories, drift reference',
    )
    .option('--labels-from <csv:column>', 'a labelled sample: names the classes and checks their order')
    .option('--force', 'overwrite --out if it exists')
    .action(async (model: string, o: InitFlags, cmd: Command) => {
      if (!o.force && existsSync(o.out))
        throw new ModelgateLocalError('FILE_ERROR', `${o.out} exists; give --force to overwrite it`, o.out);
      const r = await initManifest({
        model,
        out: o.out,
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.version !== undefined ? { version: o.version } : {}),
        ...(o.reference !== undefined ? { reference: o.reference } : {}),
        ...(o.labelsFrom !== undefined ? { labelsFrom: o.labelsFrom } : {}),
      });
      try {
        writeFileSync(o.out, r.yaml, { flag: o.force ? 'w' : 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST')
          throw new ModelgateLocalError('FILE_ERROR', `${o.out} exists; give --force to overwrite it`, o.out);
        throw fileError(err, o.out);
      }
      if (wantsJson(cmd))
        return printJson(ctx.io, {
          out: o.out,
          todo: r.todos,
          labels: r.labels ?? null,
          label_disagreement: r.disagreement ?? null,
        });
      ctx.io.out(`Wrote ${o.out}.`);
      if (r.disagreement)
        ctx.io.err(
          `warning: on ${r.disagreement.rows} of ${r.disagreement.of} sample rows the graph's '${r.disagreement.labelOutput}' output is not the most probable class (see the comment above outputs)`,
        );
      if (r.labels)
        ctx.io.out(
          `Class labels checked: the model agrees with ${(r.labels.agreement * 100).toFixed(1)}% of ${r.labels.rows} labelled rows.`,
        );
      ctx.io.out(
        r.todos.length > 0
          ? `Fill in the TODO keys (${r.todos.join(', ')}), then: modelgate models register ${o.out}`
          : `Register it: modelgate models register ${o.out}`,
      );
    });
}
