import type { Command } from 'commander';
import type { ModelgateClient, RolloutDetail } from '../../client/client.js';
import { usage } from '../cli-error.js';
import { clientFor, wantsJson, type CliContext } from '../context.js';
import { readYamlInput } from '../files.js';
import { printJson, type Io } from '../output.js';
import { rollbackCommand } from './rollback.js';

const STRATEGIES = ['canary', 'shadow', 'blue-green', 'ab'] as const;

function stepText(step: Record<string, unknown> | null | undefined): string {
  if (!step) return 'done';
  if (step.type === 'canary')
    return `canary ${String(step.weight)}% for ${String(step.durationS ?? step.duration)} s`;
  if (step.type === 'shadow')
    return `shadow ${String(step.percent)}% for ${String(step.durationS ?? step.duration)} s`;
  return String(step.type);
}

/** A person's view of a rollout: progress bar over the steps, live window, latest decisions. */
export function renderRollout(r: RolloutDetail): string {
  const total = r.steps.length;
  const done = Math.min(r.step_index, total);
  const bar = r.steps
    .map((_, i) => (i < done ? '#' : i === done && r.state === 'running' ? '>' : '.'))
    .join('');
  const lines = [
    `rollout ${r.id}: ${r.model} ${r.baseline} -> ${r.candidate} (${r.strategy})`,
    `state: ${r.state}${r.reason ? ` - ${r.reason}` : ''}`,
    `steps: [${bar}] ${done}/${total}; now: ${r.state === 'running' || r.state === 'paused' ? stepText(r.current_step) : r.state}`,
  ];
  if (r.window) {
    const s = r.window.stable;
    const c = r.window.candidate;
    lines.push(
      `window: stable ${s.requests ?? 0} requests, ${s.errors ?? 0} errors | candidate ${c.requests ?? 0} requests, ${c.errors ?? 0} errors` +
        (c.shadowCompared ? `, shadow agreement ${c.shadowAgreed}/${c.shadowCompared}` : ''),
    );
  }
  for (const d of (r.decisions ?? []).slice(0, 5)) {
    lines.push(`  ${d.at} step ${d.step_index} look ${d.look}: ${d.verdict} -> ${d.action}`);
    for (const c of d.checks) lines.push(`      ${c.name}: ${c.verdict} (${c.reason})`);
  }
  return lines.join('\n');
}

async function watch(
  client: ModelgateClient,
  id: string,
  io: Io,
  intervalMs: number,
): Promise<RolloutDetail> {
  for (;;) {
    const r = await client.getRollout(id);
    io.out(`\n${new Date().toISOString()}\n${renderRollout(r)}`);
    if (r.state !== 'running' && r.state !== 'paused') return r;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function rolloutCommand(program: Command, ctx: CliContext): void {
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
        ctx.io.out(renderRollout(r));
        ctx.io.out(`watch it: modelgate rollout status ${r.id} --watch`);
      },
    );

  rollout
    .command('status <id-or-model>')
    .description('show a rollout (by id, or the latest of a model)')
    .option('--watch', 'refresh until the rollout ends')
    .option('--interval <seconds>', 'refresh interval with --watch', '2')
    .action(async (ref: string, o: { watch?: boolean; interval: string }, cmd: Command) => {
      const client = clientFor(cmd, ctx);
      const id = ref.startsWith('ro_') ? ref : (await client.listRollouts(ref))[0]?.id;
      if (!id) throw usage(`model '${ref}' has no rollouts`);
      const r = o.watch
        ? await watch(client, id, ctx.io, Number(o.interval) * 1000)
        : await client.getRollout(id);
      if (wantsJson(cmd)) return printJson(ctx.io, r);
      if (!o.watch) ctx.io.out(renderRollout(r));
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
        ctx.io.out(renderRollout(r));
      });
  }

  rollbackCommand(program, ctx);
}
