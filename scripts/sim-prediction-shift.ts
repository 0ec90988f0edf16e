// npm run sim:prediction-shift: the rollout judge's prediction-shift check on the demo models over
// many random splits of the same traffic between the arms (the routing hash is salted by the
// rollout id, so each rollout splits traffic differently). Traffic: the held-out rows sent four
// times, one row per request, a 50% canary, one look of a 10-look plan, max_prediction_psi 0.25,
// as in test/integration/prediction-shift.int.test.ts. Prints, per candidate against 1.0.0, the
// median PSI, the share of splits with PSI over the threshold, and the share the check fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_JUDGE, emptyArm, judge } from '../src/modules/rollouts/judge.js';
import { parseManifestText, validateManifest } from '../src/modules/registry/validate-manifest.js';
import { createLoadedModel } from '../src/modules/serving/create-loaded-model.js';
import { mulberry32 } from '../src/shared/seeded-random.js';

const DEMO = join(import.meta.dirname, '../models/demo/breast-cancer');
const SPLITS = Number(process.env.SIM_SPLITS ?? 20_000);
const SEED = Number(process.env.SIM_SEED ?? 20261123);

async function scores(version: string, rows: Array<Record<string, number>>): Promise<number[]> {
  const dir = join(DEMO, version);
  const manifest = validateManifest(parseManifestText(readFileSync(join(dir, 'manifest.yaml'), 'utf8')));
  const model = await createLoadedModel({
    identity: { model: manifest.name, version, artifactSha256: '', task: manifest.task },
    manifest,
    files: new Map([[manifest.artifact, readFileSync(join(dir, manifest.artifact))]]),
    mainPath: manifest.artifact,
    threads: 1,
  });
  const { predictions } = await model.predict(rows);
  await model.release();
  return predictions.map((p) => model.predictionValue(p) as number);
}

const [header, ...lines] = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
const names = header!.split(',').slice(0, -1);
const rows = lines.map((l) => Object.fromEntries(names.map((n, i) => [n, Number(l.split(',')[i])])));
const stable = await scores('1.0.0', rows);
const random = mulberry32(SEED);
console.log(
  `${SPLITS} splits of ${rows.length} held-out rows × 4 between 1.0.0 and each candidate (seed ${SEED})`,
);
for (const version of ['1.1.0', '1.2.0']) {
  const candidate = await scores(version, rows);
  const psis: number[] = [];
  let failed = 0;
  for (let k = 0; k < SPLITS; k++) {
    const b = emptyArm();
    const c = emptyArm();
    for (let pass = 0; pass < 4; pass++) {
      for (let i = 0; i < rows.length; i++) {
        const [arm, value] = random() < 0.5 ? [b, stable[i]!] : [c, candidate[i]!];
        arm.requests++;
        arm.latenciesMs.push(1);
        arm.predictions.push(value);
      }
    }
    const j = judge(b, c, { ...DEFAULT_JUDGE, maxLooks: 10, maxPredictionPsi: 0.25 });
    const check = j.checks.find((x) => x.name === 'prediction_shift')!;
    psis.push(check.candidate.psi!);
    if (check.verdict === 'fail') failed++;
  }
  psis.sort((x, y) => x - y);
  const over = psis.filter((p) => p > 0.25).length;
  const pct = (n: number) => `${((100 * n) / SPLITS).toFixed(3)}%`;
  console.log(
    `${version}: median PSI ${psis[SPLITS >> 1]!.toFixed(3)}, PSI over 0.25 in ${pct(over)}, check failed in ${pct(failed)} (${failed})`,
  );
}
