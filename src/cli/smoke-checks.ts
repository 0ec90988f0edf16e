import type { ModelgateClient } from '../client/client.js';
import type { VersionDetailBody } from '../http/schemas.js';
import { nearestRank } from '../shared/nearest-rank.js';
import {
  DEFAULT_SMOKE_TOLERANCE,
  smokeMismatches,
  type SmokeExpectation,
} from '../shared/smoke-expectation.js';

/** One row of `modelgate smoke`. */
export interface SmokeCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface SmokeOptions {
  /** only this model (default: every model with a production version) */
  model?: string;
  /** how long to wait for /ready to turn 200 */
  waitMs: number;
  /** the p99 of the latency probe must not exceed this */
  p99Ms: number;
  /** predictions in the latency probe */
  samples: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

interface SmokeCase {
  name: string;
  input: Record<string, unknown>;
  expected?: SmokeExpectation;
  tolerance?: number;
}

const message = (err: unknown) => (err as Error)?.message ?? String(err);

/**
 * The post-deploy checks against a running endpoint, in the order a client depends on them:
 * liveness, readiness, then per production model its manifest smoke tests (pinned to the
 * production version, compared with the expected answers), the routed predict route, the V2
 * routes, and a latency probe against the p99 threshold. Never throws: a failure is a row.
 */
export async function runSmokeChecks(client: ModelgateClient, o: SmokeOptions): Promise<SmokeCheck[]> {
  const checks: SmokeCheck[] = [];
  const run = async (check: string, fn: () => Promise<string>): Promise<boolean> => {
    try {
      checks.push({ check, ok: true, detail: await fn() });
      return true;
    } catch (err) {
      checks.push({ check, ok: false, detail: message(err) });
      return false;
    }
  };

  // nothing else can pass when the process does not answer
  if (!(await run('health', async () => `status ${(await client.health()).status}`))) return checks;
  await run('ready', async () => {
    const deadline = o.now() + o.waitMs;
    for (;;) {
      const r = await client.ready();
      const models = r.models.map((m) => `${m.name}@${m.version ?? '-'} ${m.state}`).join(', ');
      if (r.ready) return models || 'no production model';
      if (o.now() >= deadline)
        throw new Error(`not ready after ${o.waitMs / 1000} s${r.reason ? ` (${r.reason})` : ''}: ${models}`);
      await o.sleep(1000);
    }
  });
  await run('v2 server metadata', async () => {
    const m = await client.v2ServerMetadata();
    return `${m.name} ${m.version}`;
  });

  let targets: Array<{ name: string; version: string }> = [];
  const listed = await run('production models', async () => {
    const models = (await client.listModels()).filter((m) => !o.model || m.name === o.model);
    if (o.model && models.length === 0) throw new Error(`no model ${o.model}`);
    targets = models.flatMap((m) =>
      m.aliases.production ? [{ name: m.name, version: m.aliases.production }] : [],
    );
    if (targets.length === 0) throw new Error('no model has a production version');
    return targets.map((t) => `${t.name}@${t.version}`).join(', ');
  });
  if (!listed) return checks;

  const latencies: number[] = [];
  let probe: { name: string; input: Record<string, unknown> } | undefined;
  for (const { name, version } of targets) {
    const at = `${name}@${version}`;
    let cases: SmokeCase[] = [];
    const described = await run(`${at} manifest`, async () => {
      cases = smokeCases(await client.getVersion(name, version));
      return cases[0]?.expected
        ? `${cases.length} smoke test(s)`
        : 'no smoke_tests in the manifest: probing with an instance built from the feature list';
    });
    if (!described) continue;
    for (const c of cases) {
      await run(`${at} smoke ${c.name}`, async () => {
        const r = await client.predict(name, [c.input], { version });
        const answer = r.predictions[0];
        if (!answer) throw new Error('no prediction in the answer');
        const wrong = c.expected
          ? smokeMismatches(answer, c.expected, c.tolerance ?? DEFAULT_SMOKE_TOLERANCE)
          : [];
        if (wrong.length > 0) throw new Error(wrong.map((w) => w.detail).join('; '));
        return answer.label !== undefined ? `label ${answer.label}` : `value ${answer.value}`;
      });
    }
    const first = cases[0];
    if (!first) continue;
    probe ??= { name, input: first.input };
    await run(`${name} predict (routed)`, async () => {
      const started = performance.now();
      const r = await client.predict(name, [first.input]);
      latencies.push(performance.now() - started);
      return `answered by ${r.version}${r.variant ? ` (${r.variant})` : ''}`;
    });
    await run(`${name} v2 ready`, async () => {
      const r = await client.v2ModelReady(name);
      if (!r.ready) throw new Error('V2 says not ready');
      return 'ready';
    });
    await run(`${name} v2 metadata`, async () => {
      const m = await client.v2ModelMetadata(name);
      if (m.inputs.length === 0) throw new Error('no inputs in the metadata');
      return `${m.inputs.length} input(s), ${m.outputs.length} output(s)`;
    });
  }

  if (probe) {
    const { name, input } = probe;
    await run(`${name} latency p99 <= ${o.p99Ms} ms`, async () => {
      for (let i = latencies.length; i < o.samples; i++) {
        const started = performance.now();
        await client.predict(name, [input]);
        latencies.push(performance.now() - started);
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const p99 = nearestRank(sorted, 0.99);
      const text = `p50 ${nearestRank(sorted, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${sorted.length} sequential predictions`;
      if (p99 > o.p99Ms) throw new Error(text);
      return text;
    });
  }
  return checks;
}

/** The manifest's smoke tests; without any, one instance built from the features (no expectation). */
export function smokeCases(v: VersionDetailBody): SmokeCase[] {
  const manifest = (v.manifest ?? {}) as {
    smoke_tests?: Array<{
      name?: string;
      input: Record<string, unknown>;
      expected: SmokeExpectation;
      tolerance?: number;
    }>;
  };
  const tests = manifest.smoke_tests ?? [];
  if (tests.length > 0)
    return tests.map((t, i) => ({
      name: t.name ?? `#${i}`,
      input: t.input,
      expected: t.expected,
      ...(t.tolerance !== undefined ? { tolerance: t.tolerance } : {}),
    }));
  const input: Record<string, unknown> = {};
  for (const f of v.signature.features) {
    if (f.type === 'boolean') input[f.name] = false;
    else if (f.type === 'category') input[f.name] = f.values?.[0] ?? '';
    else {
      const mid = f.min !== undefined && f.max !== undefined ? (f.min + f.max) / 2 : (f.min ?? 0);
      input[f.name] = f.type === 'integer' ? Math.round(mid) : mid;
    }
  }
  return [{ name: 'probe', input }];
}
