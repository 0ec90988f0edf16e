import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usage } from '../cli-error.js';
import { clientFor, connectionFor, wantsJson, type CliContext } from '../context.js';
import { parseJsonInput, readInput } from '../files.js';
import { latencyChartSvg } from '../latency-chart.js';
import { judgeLoadtest, type LoadtestTargets } from '../loadtest-summary.js';
import { printJson, SilentExit } from '../output.js';
import { smokeCases } from '../smoke-checks.js';
import { numberOption } from './smoke.js';

interface LoadtestOptions {
  model?: string;
  version?: string;
  file?: string;
  duration: string;
  connections: string;
  rate?: string;
  sloP99?: string;
  sloErrors?: string;
  sloRps?: string;
  out?: string;
}

/** `30s`, `2m` or a number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0)
    throw usage(`--duration takes seconds (30, 30s) or minutes (2m), not '${text}'`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

/** `modelgate loadtest`: load against one model's predict route, percentiles, targets, a chart. */
export function loadtestCommand(program: Command, ctx: CliContext): void {
  program
    .command('loadtest')
    .description(
      'drive prediction load at a running endpoint (autocannon): throughput, p50/p90/p99 latency, errors by status; exits 1 when a target is missed',
    )
    .option('--model <name>', 'the model to load (required)')
    .option('--version <version>', 'pin a version (default: the routed predict route)')
    .option('--file <path>', "the request body (default: the production version's first manifest smoke test)")
    .option('--duration <time>', 'how long: 30s, 2m', '30s')
    .option('--connections <n>', 'concurrent keep-alive connections', '16')
    .option('--rate <rps>', 'requests per second over all connections (default: as fast as answered)')
    .option('--slo-p99 <ms>', 'target: p99 latency at most this')
    .option(
      '--slo-errors <percent>',
      'target: failed requests (non-2xx, connection errors) at most this share',
    )
    .option('--slo-rps <rps>', 'target: throughput at least this')
    .option('--out <file.svg>', 'write a latency-over-time chart (p50, p99 per second) as SVG')
    .action(async (o: LoadtestOptions, cmd: Command) => {
      if (!o.model) throw usage('give the model: modelgate loadtest --model <name>');
      const model = o.model;
      const durationS = parseDuration(o.duration);
      const connections = numberOption('--connections', o.connections, { min: 1, integer: true });
      const rate = o.rate !== undefined ? numberOption('--rate', o.rate, { min: 1 }) : undefined;
      const targets: LoadtestTargets = {
        ...(o.sloP99 !== undefined ? { p99Ms: numberOption('--slo-p99', o.sloP99) } : {}),
        ...(o.sloErrors !== undefined ? { errorPercent: numberOption('--slo-errors', o.sloErrors) } : {}),
        ...(o.sloRps !== undefined ? { minRps: numberOption('--slo-rps', o.sloRps) } : {}),
      };
      const body = o.file
        ? JSON.stringify(parseJsonInput(readInput(o.file, 'request body'), o.file))
        : await defaultBody(cmd, ctx, model, o.version);
      const { baseUrl, apiKey } = connectionFor(cmd, ctx);
      const base = baseUrl.replace(/\/+$/, '');
      const path = o.version
        ? `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(o.version)}/predict`
        : `/v1/models/${encodeURIComponent(model)}/predict`;
      const json = wantsJson(cmd);
      ctx.io.err(
        `loadtest ${base}${path}: ${durationS} s, ${connections} connections, ${rate ? `${rate} req/s` : 'no rate limit'}`,
      );
      const { runLoadtest } = await import('../loadtest-run.js');
      const s = await runLoadtest({
        url: `${base}${path}`,
        ...(apiKey ? { apiKey } : {}),
        body,
        durationS,
        connections,
        ...(rate ? { rate } : {}),
        onTick: (second, answers) => ctx.io.err(`  ${second} s: ${answers} answers`),
      });
      const judged = judgeLoadtest(s, targets);
      if (o.out) {
        writeFileSync(
          o.out,
          latencyChartSvg(s.per_second, {
            title: `${model}${o.version ? `@${o.version}` : ''}: ${s.rps} req/s, p99 ${s.latency_ms.p99} ms, ${connections} connections`,
            ...(targets.p99Ms !== undefined ? { p99TargetMs: targets.p99Ms } : {}),
          }),
        );
      }
      if (json)
        printJson(ctx.io, {
          ...s,
          per_second: s.per_second.map((p) => ({
            second: p.second,
            requests: p.requests,
            p50_ms: p.p50Ms,
            p99_ms: p.p99Ms,
          })),
          targets: judged,
          ok: judged.every((t) => t.ok),
        });
      else {
        const errors = Object.entries(s.errors_by_status);
        ctx.io.out(
          [
            `requests   ${s.requests} in ${s.duration_s} s (${s.rps} req/s)`,
            `latency    p50 ${s.latency_ms.p50} ms  p90 ${s.latency_ms.p90} ms  p99 ${s.latency_ms.p99} ms  max ${s.latency_ms.max} ms`,
            `errors     ${errors.length === 0 ? 'none' : `${errors.map(([k, n]) => `${k}: ${n}`).join(', ')} (${s.error_percent}%)`}`,
            ...judged.map((t) => `target     ${t.target}: ${t.ok ? 'met' : 'MISSED'} (${t.measured})`),
            ...(o.out ? [`chart      ${o.out}`] : []),
          ].join('\n'),
        );
      }
      const missed = judged.filter((t) => !t.ok);
      for (const t of missed) ctx.io.err(`FAIL ${t.target}: measured ${t.measured}`);
      if (missed.length > 0) throw new SilentExit(1);
    });
}

/** `{"instances": [the first smoke test's input]}` of the version that would answer. */
async function defaultBody(cmd: Command, ctx: CliContext, model: string, version?: string): Promise<string> {
  const client = clientFor(cmd, ctx);
  const target = version ?? (await client.getModel(model)).aliases.production;
  if (!target) throw usage(`${model} has no production version; give --version or --file`);
  const [first] = smokeCases(await client.getVersion(model, target));
  return JSON.stringify({ instances: [first!.input] });
}
