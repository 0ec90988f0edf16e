// Node.js 24 everywhere (package.json, CI, the image), and the Dockerfile's promises that can be
// read without building it. scripts/image/test.sh (run by .ci/run) builds and runs the image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { REPO } from '../helpers/server.js';

const read = (f: string) => readFileSync(join(REPO, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  allowScripts: Record<string, boolean>;
  scripts: Record<string, string>;
};
const dockerfile = read('Dockerfile');
const toolchain = read('scripts/ci/toolchain.sh');
const shellVar = (name: string) => new RegExp(`^${name}=(\\S+)$`, 'm').exec(toolchain)?.[1];

describe('the runtime: Node.js 24 LTS', () => {
  it('package.json admits Node 22.12 and later; CI and the image use 24', () => {
    assert.equal(pkg.engines.node, '>=22.12');
    assert.match(shellVar('NODE_VERSION') ?? '', /^24\.\d+\.\d+$/);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-bookworm-slim@sha256:[0-9a-f]{64}$/m);
    assert.equal(shellVar('DEBIAN_SUITE'), 'bookworm');
    assert.equal(
      (parse(read('.github/workflows/ci.yml')) as { jobs: { ci: { container: { image: string } } } }).jobs.ci
        .container.image,
      /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)![1],
    );
  });

  it('install scripts stay off through allowScripts, not an unknown .npmrc key', () => {
    assert.equal(pkg.allowScripts['onnxruntime-node'], false);
    assert.equal(
      pkg.allowScripts['better-sqlite3'],
      false,
      'it ships prebuilt binaries; npm ci would compile',
    );
    assert.match(
      dockerfile,
      /npm ci --ignore-scripts/,
      'no install script in the image build, whatever its npm',
    );
    assert.doesNotMatch(read('.npmrc'), /onnxruntime/);
    const [major, minor] = (shellVar('NPM_VERSION') ?? '').split('.').map(Number);
    assert.ok(major! > 11 || (major === 11 && minor! >= 16), 'CI pins an npm that reads allowScripts');
  });

  it('.ci/run runs the README commands with the pinned Node and checks the version it runs', () => {
    const ci = read('.ci/run');
    assert.match(ci, /install_node "\$NODE_DIR"/);
    assert.match(ci, /export npm_config_nodedir=/);
    assert.match(ci, /^npm ci\b/m);
    assert.match(ci, /^npm test$/m);
    assert.match(ci, /node --version.*v\$NODE_VERSION/);
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => /^[A-Z]+ /.test(l));
  const runtime = instructions.slice(instructions.findIndex((l) => /^FROM scratch AS runtime$/.test(l)));

  it('builds every stage from the pinned base (or the flattened copy of it)', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    assert.deepEqual(froms, [
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS slim',
      'FROM scratch AS runtime',
    ]);
    assert.ok(runtime.includes('COPY --from=slim / /'));
  });

  it('runs as a numeric non-root user, under tini, bound to 0.0.0.0, writing only to the /data volume', () => {
    assert.ok(runtime.includes('USER 1000:1000'));
    assert.ok(
      runtime.some((l) =>
        l.startsWith('ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/modelgate.js"]'),
      ),
    );
    assert.ok(runtime.includes('CMD ["serve", "--demo"]'));
    const env = runtime.find((l) => l.startsWith('ENV '))!;
    for (const kv of [
      'MODELGATE_HOST=0.0.0.0',
      'MODELGATE_PORT=8080',
      'MODELGATE_HOME=/data',
      'NODE_ENV=production',
      'ORT_DISABLE_TELEMETRY=1',
    ])
      assert.ok(env.includes(kv), kv);
    assert.ok(runtime.includes('VOLUME ["/data"]'));
    assert.ok(runtime.includes('EXPOSE 8080'));
    assert.ok(runtime.some((l) => /^HEALTHCHECK .*CMD \["node", "-e", .*\/health/.test(l)));
  });

  it('carries the OCI labels for version, revision and source', () => {
    const label = runtime.find((l) => l.startsWith('LABEL '))!;
    for (const k of ['version', 'revision', 'source', 'licenses', 'base.name'])
      assert.match(label, new RegExp(`org\\.opencontainers\\.image\\.${k.replace('.', '\\.')}=`));
  });

  it('keeps only this platform of the native binaries', () => {
    assert.match(
      dockerfile,
      /find "\$ort" -mindepth 2 -maxdepth 2 ! -path "\$ort\/linux\/\$arch" -exec rm -rf \{\} \+/,
    );
    assert.match(dockerfile, /npm prune --omit=dev/);
  });

  it('.dockerignore lets in only what the Dockerfile copies', () => {
    const lines = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '*');
    const allowed = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(' '));
    for (const c of copied)
      assert.ok(allowed.includes(c.replace(/^\.\//, '').replace(/\/$/, '')), `${c} is let in`);
  });
});
