// What the CLI prints: one line per failure naming the file, JSON from every read command,
// relative times, `keys generate`, and `models show`. In this process, against a real server.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { API_KEY_PATTERN } from '../../src/modules/security/api-key.js';
import { cliInProcess as cli } from '../helpers/cli.js';
import { DEMO, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

describe('CLI output against a real server', () => {
  const scope = new SuiteScope();
  let s: TestServer;
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    s = await startTestServer(scope);
    env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
    dir = mkdtempSync(join(tmpdir(), 'mg-cli-out-'));
    scope.after(() => rmSync(dir, { recursive: true, force: true }));
    await s.admin.registerVersion(join(DEMO, '1.0.0/manifest.yaml'));
    await s.admin.promote('breast-cancer', '1.0.0');
  });
  after(() => scope.run());

  it('models register: one line naming the file for a model file, a wrong artifact path and a YAML error', async () => {
    const onnx = join(DEMO, '1.0.0/model.onnx');
    assert.deepEqual(await cli(['models', 'register', onnx], env), {
      code: 1,
      stdout: '',
      stderr: `error: MANIFEST_INVALID: ${onnx} is not a manifest (binary content); give the YAML or JSON manifest that lists the model file\n`,
    });
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'name: churn\nversion: 1.0.0\nartifact: models/churn.onnx\n');
    assert.deepEqual(await cli(['models', 'register', wrong], env), {
      code: 1,
      stdout: '',
      stderr: `error: FILE_NOT_FOUND: ${join(dir, 'models/churn.onnx')} (listed as 'artifact' in wrong.yaml): no such file\n`,
    });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: churn\nversion: 1.0.0\n  artifact: m.onnx\n');
    assert.deepEqual(await cli(['models', 'register', bad], env), {
      code: 1,
      stdout: '',
      stderr: `error: MANIFEST_INVALID: ${bad}:2:10: Nested mappings are not allowed in compact mappings\n`,
    });
    const missing = await cli(['models', 'register', join(dir, 'nope.yaml')], env);
    assert.equal(missing.stderr, `error: FILE_NOT_FOUND: ${join(dir, 'nope.yaml')}: no such file\n`);
  });

  it('other inputs and outputs name their file too', async () => {
    const notJson = join(dir, 'x.json');
    writeFileSync(notJson, '{"mean_radius": }');
    const predict = await cli(['predict', 'breast-cancer', '--file', notJson], env);
    assert.match(predict.stderr, new RegExp(`^error: INPUT_INVALID: ${notJson}: [^\\n]+\\n$`));
    const noFile = await cli(['predict', 'breast-cancer', '--file', join(dir, 'none.json')], env);
    assert.equal(
      noFile.stderr,
      `error: FILE_NOT_FOUND: ${join(dir, 'none.json')} (instances): no such file\n`,
    );
    const plan = await cli(
      ['rollout', 'start', 'breast-cancer', '1.0.0', '--plan', join(dir, 'plan.yaml')],
      env,
    );
    assert.equal(plan.stderr, `error: FILE_NOT_FOUND: ${join(dir, 'plan.yaml')} (plan): no such file\n`);
    const out = await cli(['models', 'card', 'breast-cancer', '1.0.0', '--out', tmpdir()], env);
    assert.equal(out.stderr, `error: FILE_ERROR: ${tmpdir()}: is a directory, not a file\n`);
    const usage = await cli(['predict', 'breast-cancer'], env);
    assert.equal(usage.stderr, 'error: USAGE: give the instances with --data or --file\n');
    const missingArg = await cli(['models', 'promote', 'breast-cancer'], env);
    assert.equal(missingArg.stderr, "error: USAGE: missing required argument 'version'\n");
  });

  it('--json works on every read command, the model card included (its fields)', async () => {
    const json = async (args: string[]) => {
      const r = await cli([...args, '--json'], env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown> & Array<Record<string, unknown>>;
    };
    const card = await json(['models', 'card', 'breast-cancer', '1.0.0']);
    assert.deepEqual(
      [card.model, card.version, card.task, card.labels, card.aliases],
      ['breast-cancer', '1.0.0', 'binary-classification', ['malignant', 'benign'], ['production']],
    );
    assert.equal((card.declared_metrics as Record<string, number>).roc_auc, 0.9948);
    assert.equal((card.features as unknown[]).length, 30);
    assert.equal((card.reference as { rows: number }).rows > 0, true);
    assert.deepEqual(await json(['models', 'card', 'breast-cancer', '1.0.0', '--format', 'json']), card);

    assert.equal((await json(['models', 'list']))[0]!.name, 'breast-cancer');
    assert.equal((await json(['models', 'show', 'breast-cancer'])).name, 'breast-cancer');
    assert.equal((await json(['models', 'show', 'breast-cancer', '1.0.0'])).version, '1.0.0');
    assert.equal((await json(['models', 'verify', 'breast-cancer', '1.0.0'])).ok, true);
    assert.equal((await json(['keys', 'list']))[0]!.name, 'bootstrap-admin');
    assert.ok(Array.isArray((await json(['audit'])).events));
    // the global flag before the command works as well
    const before = await cli(['--json', 'models', 'card', 'breast-cancer', '1.0.0'], env);
    assert.deepEqual(JSON.parse(before.stdout), card);
  });

  it('audit --since/--until take durations back from now as well as ISO times', async () => {
    const actions = async (...args: string[]) => {
      const r = await cli(['audit', '--model', 'breast-cancer', '--json', ...args], env);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { events: Array<{ action: string }> }).events.map((e) => e.action);
    };
    const all = ['model.promoted', 'model.version.registered'];
    assert.deepEqual(await actions('--since', '1h'), all);
    assert.deepEqual(await actions('--since', '30m', '--until', '0s'), all);
    assert.deepEqual(await actions('--until', '1h'), []);
    assert.deepEqual(await actions('--since', '7d', '--until', '2100-01-01T00:00:00Z'), all);
    assert.deepEqual(await actions('--since', new Date(Date.now() + 3_600_000).toISOString()), []);
    const bad = await cli(['audit', '--since', 'yesterday'], env);
    assert.equal(
      bad.stderr,
      "error: USAGE: --since takes a duration back from now (30m, 1h, 7d) or an ISO 8601 time, not 'yesterday'\n",
    );
  });

  it('models show: labels and declared metrics, in compact tables', async () => {
    const r = await cli(['models', 'show', 'breast-cancer', '1.0.0'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^labels: malignant, benign \(positive: malignant\)$/m);
    assert.match(
      r.stdout,
      /│ declared metric │ value +│\n├─+┼─+┤\n│ roc_auc +│ 0\.9948 │\n│ accuracy +│ [\d.]+ +│/,
    );
    assert.equal(r.stdout.match(/^├/gm)?.length, 3, 'one rule per table, under its header');
  });
});

describe('modelgate keys generate', () => {
  it('prints a fresh key that the server accepts as MODELGATE_ADMIN_KEY', async (t) => {
    const generated = await cli(['keys', 'generate']);
    assert.equal(generated.code, 0, generated.stderr);
    const key = generated.stdout.trim();
    assert.match(key, API_KEY_PATTERN);
    assert.match(generated.stderr, /MODELGATE_ADMIN_KEY/);
    const other = JSON.parse((await cli(['keys', 'generate', '--json'])).stdout) as {
      id: string;
      key: string;
    };
    assert.notEqual(other.key, key);
    assert.equal(other.key.split('_')[1], other.id);

    const s = await startTestServer(t, { env: { MODELGATE_ADMIN_KEY: key } });
    assert.equal(s.server.generatedAdminKey, undefined);
    const list = await cli(['models', 'list', '--json'], { MODELGATE_URL: s.url, MODELGATE_API_KEY: key });
    assert.deepEqual([list.code, list.stdout], [0, '[]\n']);
    const file = join(mkdtempSync(join(tmpdir(), 'mg-key-')), 'key');
    writeFileSync(file, `${key}\n`);
    const viaFile = await cli(['keys', 'list', '--json'], {
      MODELGATE_URL: s.url,
      MODELGATE_API_KEY_FILE: file,
    });
    assert.equal(viaFile.code, 0, viaFile.stderr);
  });
});
