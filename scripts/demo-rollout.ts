// npm run demo:rollout: a server with the demo model, labelled traffic with feedback, then two
// rollouts: the second version (promoted) and a deliberately bad version (rolled back on its own).
// Decisions are printed as the controller takes them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelgateClient, type RolloutDetail } from '../src/client/client.js';
import { generateApiKey } from '../src/modules/security/api-key.js';
import { ROOT, spawnListening } from './serve-process.js';

const DEMO = join(ROOT, 'models/demo/breast-cancer');
const home = mkdtempSync(join(tmpdir(), 'modelgate-demo-'));
const adminKey = generateApiKey().key;

const { child, url } = await spawnListening(['dist/cli/index.js', 'serve', '--demo', '--port', '0'], {
  MODELGATE_HOME: home,
  MODELGATE_ADMIN_KEY: adminKey,
  MODELGATE_LOG_LEVEL: 'warn',
  MODELGATE_ROLLOUT_TICK_MS: '250',
  MODELGATE_RATE_LIMIT_PREDICT_PER_MINUTE: '0',
});
const client = new ModelgateClient({ baseUrl: url, apiKey: adminKey });
console.log(`modelgate on ${url} (demo model breast-cancer, production 1.0.0)`);
await client.registerVersion(join(DEMO, '1.2.0/manifest.yaml'));

// labelled traffic: each prediction gets its true label back as feedback
const [head, ...lines] = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
const cols = head!.split(',');
const rows = lines.map((l) => {
  const cells = l.split(',');
  return {
    instance: Object.fromEntries(
      cols.filter((c) => c !== 'target').map((c) => [c, Number(cells[cols.indexOf(c)])]),
    ),
    label: cells[cols.indexOf('target')]!,
  };
});
let stop = false;
let sent = 0;
let failed = 0;
async function worker(w: number): Promise<void> {
  for (let i = 0; !stop; i++) {
    const row = rows[(w * 7919 + i) % rows.length]!;
    try {
      const r = await client.predict('breast-cancer', [row.instance], {});
      sent++;
      await fetch(`${url}/v1/models/breast-cancer/feedback`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ feedback: [{ prediction_id: r.prediction_id, label: row.label }] }),
      });
    } catch {
      failed++;
    }
  }
}
const workers = Array.from({ length: 8 }, (_, w) => worker(w));

async function follow(candidate: string): Promise<RolloutDetail> {
  const plan = {
    steps: [
      { type: 'smoke' },
      { type: 'shadow', percent: 20, duration: 4 },
      { type: 'canary', weight: 25, duration: 4 },
      { type: 'canary', weight: 50, duration: 4 },
      { type: 'canary', weight: 100, duration: 4 },
    ],
    interval: 2,
    no_data: 'wait',
  };
  const started = await client.startRollout('breast-cancer', { candidate, plan });
  console.log(`\nrollout ${started.id}: breast-cancer ${started.baseline} -> ${candidate}`);
  const seen = new Set<string>();
  for (;;) {
    const r = await client.getRollout(started.id);
    for (const d of [...(r.decisions ?? [])].reverse()) {
      const key = `${d.at}|${d.step_index}|${d.look}|${d.action}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const step = r.steps[d.step_index] as { type: string; weight?: number; percent?: number } | undefined;
      const what = step
        ? step.type === 'canary'
          ? `canary ${step.weight}%`
          : step.type === 'shadow'
            ? `shadow ${step.percent}%`
            : step.type
        : 'end';
      const checks = d.checks.map((c) => `${c.name} ${c.verdict}`).join(', ');
      console.log(
        `  step ${d.step_index} (${what}) look ${d.look}: ${d.verdict} -> ${d.action}${checks ? `  [${checks}]` : ''}`,
      );
      for (const c of d.checks.filter((c) => c.verdict === 'fail'))
        console.log(`      ${c.name}: ${c.reason}`);
    }
    if (r.state !== 'running' && r.state !== 'paused') {
      console.log(`  => ${r.state}: ${r.reason}`);
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

try {
  const good = await follow('1.1.0');
  const bad = await follow('1.2.0');
  const model = await client.getModel('breast-cancer');
  console.log(
    `\nproduction ${model.aliases.production}, previous ${model.aliases.previous}; ${sent} predictions sent, ${failed} failed`,
  );
  const ok = good.state === 'promoted' && bad.state === 'rolled_back' && failed === 0;
  console.log(
    ok
      ? 'demo: as expected (1.1.0 promoted, 1.2.0 rolled back, no failed request)'
      : 'demo: UNEXPECTED OUTCOME',
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  stop = true;
  await Promise.all(workers);
  child.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
}
