import type { Command } from 'commander';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { readYamlInput } from '../files.js';
import { printJson } from '../output.js';
import { renderRollout } from '../rollout-view.js';
import { watchRollout } from '../rollout-watch.js';
import { rollbackCommand } from './rollback.js';

const STRATEGIES = ['canary', 'shadow', 'blue-green', 'ab'] as const;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function rolloutCommand(program: Command, ctx: CliContext): void {
  const now = ctx.now ?? Date.now;
  const rollout = program
    .command('rollout')
    .description('progressive delivery: start, watch and steer rollouts');

  rollout
    .command('start <model> <candidate>')
    .description('start a rollout of a registered version (default strategy: canary)')
    .option('--strategy <name>', `one of ${STRATEGIES.join(', ')}`, 'canary')
    .option(
      '--plan <file>',
      'a plan of your own (YAML or JSON: steps, interval, no_data, max_prediction_psi)',
    )
    .option(
      '--override-policy <reason>',
      'start although the promotion policy refuses the candidate (audited)',
    )
    .action(
      async (
        model: string,
        candidate: string,
        o: { strategy: string; plan?: string; overridePolicy?: string },
        cmd: Command,
      ) => {
        if (!(STRATEGIES as readonly string[]).includes(o.strategy))
          throw usage(`--strategy takes one of ${STRATEGIES.join(', ')}`);
        const plan = o.plan ? readYamlInput(o.plan, 'plan') : undefined;
        const r = await clientFor(cmd, ctx).startRollout(model, {
          candidate,
          strategy: o.strategy as (typeof STRATEGIES)[number],
          ...(plan !== undefined ? { plan } : {}),
          ...(o.overridePolicy !== undefined ? { override_reason: o.overridePolicy } : {}),
        });
        if (wantsJson(cmd)) return printJson(ctx.io, r);
        ctx.io.out(renderRollout(r, now()));
        ctx.io.out(`watch it: modelgate rollout status ${r.id} --watch`);
      },
    );

  rollout
    .command('status <id-or-model>')
    .description('show a rollout (by id, or the latest of a model)')
    .option(
      '--watch',
      'refresh until the rollout ends (in place on a terminal; --json: one document per line)',
    )
    .option('--interval <seconds>', 'refresh interval with --watch', '2')
    .action(async (ref: string, o: { watch?: boolean; interval: string }, cmd: Command) => {
      const interval = Number(o.interval);
      if (!(interval > 0)) throw usage(`--interval takes a number of seconds above 0, not '${o.interval}'`);
      const client = clientFor(cmd, ctx);
      const id = ref.startsWith('ro_') ? ref : (await client.listRollouts(ref))[0]?.id;
      if (!id) throw usage(`model '${ref}' has no rollouts`);
      const json = wantsJson(cmd);
      if (o.watch) {
        await watchRollout((x) => client.getRollout(x), id, ctx.io, {
          intervalMs: interval * 1000,
          json,
          now,
          sleep: ctx.sleep ?? realSleep,
        });
        return;
      }
      const r = await client.getRollout(id);
      if (json) printJson(ctx.io, r);
      else ctx.io.out(renderRollout(r, now()));
    });

  for (const [action, text] of [
    ['approve', 'approve a rollout waiting at a pause step'],
    ['pause', 'pause a running rollout (its traffic split stays as it is)'],
    ['resume', 'resume a paused rollout (the current step starts again)'],
    ['abort', 'abort a rollout: all traffic back to stable at once'],
  ] as const) {
    rollout
      .command(`${action} <id>`)
      .description(text)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const r = await clientFor(cmd, ctx).rolloutAction(id, action);
        if (wantsJson(cmd)) return printJson(ctx.io, r);
        ctx.io.out(renderRollout(r, now()));
      });
  }

  rollbackCommand(program, ctx);
}
