// The first-run journey exactly as the README and the server's banners print it: a fresh clone
// (its files copied, node_modules linked), `npm start`'s command, then every command of the
// README's Quickstart and CLI blocks and of both banners, run by bash as printed. The only
// substitutions are the ones a reader makes: the key printed at start for `mg_…`, the port the
// test server got for 8080, and the id `keys create` printed for `<id>`.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { ensureBuilt } from '../helpers/build.js';
import { exitOf } from '../helpers/cli.js';
import { REPO } from '../helpers/server.js';

/** The ```sh blocks of a README section, as commands (continuation lines joined). */
export function shellCommands(markdown: string, heading: string): string[] {
  const section = markdown.split(`\n## ${heading}\n`)[1]!.split('\n## ')[0]!;
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => commandsOf(m[1]!));
}

function commandsOf(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** The commands a banner prints: its indented lines, less the key itself. */
function bannerCommands(banner: string): string[] {
  return commandsOf(
    banner
      .split('\n')
      .filter((l) => l.startsWith('  ') && !/^ {2}mg_/.test(l))
      .join('\n'),
  );
}

/** A shell as a reader has one: PATH and HOME, no MODELGATE_ or DATABASE_URL variables. */
const cleanEnv = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
  ...extra,
});

function bash(cwd: string, preamble: string[], command: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', ['-c', ['shopt -s expand_aliases', ...preamble, command].join('\n')], {
    cwd,
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function serve(cwd: string): Promise<{ banner: string; stop: () => Promise<number | null> }> {
  // what `npm start` runs once it has built (package.json "start")
  const child = spawn(process.execPath, ['dist/cli/index.js', 'serve', '--demo'], {
    cwd,
    // a loaded CI machine lags more than the production default: no shedding here (as in
    // test/helpers/server.ts)
    env: cleanEnv({
      MODELGATE_PORT: '0',
      MODELGATE_LOG_LEVEL: 'warn',
      MODELGATE_LOAD_SHED_EVENT_LOOP_DELAY_MS: '0',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    // a server that never listens, or never stops, is killed: a child left running would keep the
    // test file alive
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not listen within 60 s: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // the banner is written in one piece (one write of a few hundred bytes)
      if (stderr.includes('listening on')) {
        clearTimeout(deadline);
        resolve({
          banner: stderr,
          stop: () => {
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
            return exitOf(child).finally(() => clearTimeout(killer));
          },
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
}

/** What each README CLI command must print (stdout), by how it starts. */
const CLI_EXPECTED: Array<[string, RegExp]> = [
  ['modelgate models list', /│ breast-cancer │ 1\.0\.0 +│ +│ +│ 2 +│ 1\.1\.0 +│/],
  [
    'modelgate models register',
    /^registered breast-cancer 1\.2\.0 \(breast-cancer-v1\.2\.0-\d{8}-\d{4}\) sha256 [0-9a-f]{64}\n$/,
  ],
  [
    'modelgate models show',
    /labels: malignant, benign \(positive: malignant\)[\s\S]*│ roc_auc +│ 0\.3184 +│/,
  ],
  [
    'modelgate models evaluate',
    /evaluation ev_[0-9a-f]{16} on 143 rows of test\.csv[\s\S]*│ roc_auc +│ 0\.\d+ +│/,
  ],
  [
    'modelgate models promote',
    /^breast-cancer: promoted 1\.1\.0; now production=1\.1\.0 previous=1\.0\.0\n$/,
  ],
  [
    'modelgate predict breast-cancer 1.0.0',
    /^breast-cancer 1\.0\.0 {2}prediction [0-9a-f-]+\n[\s\S]*│ malignant/,
  ],
  [
    'modelgate predict breast-cancer --file',
    /^breast-cancer 1\.1\.0 {2}prediction [0-9a-f-]+\n[\s\S]*│ malignant/,
  ],
  ['modelgate rollback', /^breast-cancer: rolled back; now production=1\.0\.0 previous=1\.1\.0\n$/],
  ['modelgate models verify', /breast-cancer 1\.1\.0: intact\n$/],
  ['modelgate models deprecate', /^breast-cancer 1\.2\.0: deprecated since \S+ by \S+: ROC-AUC 0\.32\n$/],
  [
    'modelgate gc',
    /would delete 0 blob\(s\), 0 bytes, of 0 version\(s\) archived before \S+ \(dry run: --apply to delete\)\n$/,
  ],
  ['modelgate models card', /^wrote the model card of breast-cancer 1\.1\.0 to card\.html\n$/],
  [
    'modelgate report drift',
    /^breast-cancer 1\.0\.0: \d+ live rows; drift in no feature\. Wrote report\.html\n$/,
  ],
  [
    'modelgate models readiness',
    /│ artifact hash +│ pass[\s\S]*breast-cancer 1\.1\.0: GO \(0 failed, \d warnings?\)\n$/,
  ],
  ['modelgate smoke', /│ breast-cancer@1\.0\.0 smoke test-row-1 +│ pass[\s\S]*smoke: PASS \(\d+ checks\)\n$/],
  ['modelgate loadtest', /^requests +\d+ in [\d.]+ s[\s\S]*errors +none\nchart +latency\.svg\n$/],
  ['modelgate audit', /model\.rolled_back[\s\S]*model\.promoted[\s\S]*model\.version\.registered/],
  [
    'modelgate keys create --name',
    /^created key [A-Za-z0-9]{12} \(billing-service; scopes predict\)\nkey \(shown once, store it now\): mg_/,
  ],
  ['modelgate keys revoke', /^revoked key [A-Za-z0-9]{12} \(billing-service\) at /],
  ['modelgate keys create --local', /^created key [A-Za-z0-9]{12} \(rescue; scopes admin\)\n/],
  ['modelgate keys generate', /^mg_[A-Za-z0-9]{8,32}_[A-Za-z0-9_-]{20,}\n$/],
];

it(
  'every command the README and the start banners print works as printed from a fresh clone',
  { timeout: 600_000 },
  async (t) => {
    ensureBuilt();
    const clone = mkdtempSync(join(tmpdir(), 'mg-clone-'));
    t.after(() => rmSync(clone, { recursive: true, force: true }));
    for (const d of ['bin', 'dist', 'models', 'package.json', 'README.md'])
      cpSync(join(REPO, d), join(clone, d), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');

    const first = await serve(clone);
    t.after(() => first.stop());
    const key = /Admin API key[^\n]*\n {2}(mg_\S+)/.exec(first.banner)?.[1];
    assert.ok(key, first.banner);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first.banner)![1]!;
    const asRead = (line: string) => line.replaceAll('mg_…', key).replaceAll('http://127.0.0.1:8080', url);

    // the first start's banner: export, curl, the CLI
    const banner = bannerCommands(first.banner);
    assert.equal(banner.length, 3, first.banner);
    const [exportLine, curl, show] = banner as [string, string, string];
    assert.equal(exportLine, `export MODELGATE_URL=${url} MODELGATE_API_KEY=${key}`);
    const answer = bash(clone, [exportLine], curl);
    assert.equal(answer.code, 0, answer.stderr);
    const json = JSON.parse(answer.stdout) as { version: string; predictions: Array<{ label: string }> };
    assert.deepEqual([json.version, json.predictions[0]!.label], ['1.0.0', 'malignant']);
    const shown = bash(clone, [exportLine], show);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /^breast-cancer-v1\.0\.0-\d{8}-\d{4} {2}binary-classification/);

    // the Quickstart's request
    const quick = shellCommands(readme, 'Quickstart').filter((c) => !c.startsWith('npm '));
    assert.deepEqual(
      quick.map((c) => c.split(' ')[0]),
      ['export', 'curl'],
    );
    const quickAnswer = bash(clone, [asRead(quick[0]!)], asRead(quick[1]!));
    assert.equal(quickAnswer.code, 0, quickAnswer.stderr);
    assert.equal((JSON.parse(quickAnswer.stdout) as { version: string }).version, '1.0.0');

    // the CLI block, in order: setup lines (alias, export) run before each command
    const lines = shellCommands(readme, 'The CLI').map(asRead);
    const preamble = lines.filter((l) => /^(alias|export) /.test(l));
    assert.equal(preamble.length, 2, 'an alias and an export');
    const seen = new Set<string>();
    let keyId = '';
    for (const line of lines.filter((l) => !preamble.includes(l))) {
      const command = line.replace(/\s+#.*$/, '').replace('<id>', keyId);
      const expected = CLI_EXPECTED.find(([start]) => command.startsWith(start));
      assert.ok(expected, `the README's '${command}' has no expected output in this test: add one`);
      seen.add(expected[0]);
      const r = bash(clone, preamble, command);
      assert.equal(r.code, 0, `${command}\n${r.stderr}`);
      assert.match(r.stdout, expected[1], command);
      keyId = /^created key ([A-Za-z0-9]{12}) \(billing-service/.exec(r.stdout)?.[1] ?? keyId;
    }
    assert.deepEqual(
      CLI_EXPECTED.map(([start]) => start).filter((s) => !seen.has(s)),
      [],
      'every expectation met a README command',
    );
    assert.ok(existsSync(join(clone, 'card.html')) && existsSync(join(clone, 'report.html')));

    // a restart: no second key; the banner says how to get in without one
    assert.equal(await first.stop(), 0);
    const second = await serve(clone);
    t.after(() => second.stop());
    assert.doesNotMatch(second.banner, /Admin API key/);
    const again = bannerCommands(second.banner);
    assert.equal(again.length, 4, second.banner);
    const url2 = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(second.banner)![1]!;
    assert.equal(again[0], `export MODELGATE_URL=${url2}`);
    const withKey = { MODELGATE_API_KEY: key };
    const [curl2, show2] = again.slice(1, 3) as [string, string];
    const answer2 = bash(clone, [again[0]], curl2, withKey);
    assert.equal(answer2.code, 0, answer2.stderr);
    assert.equal(
      (JSON.parse(answer2.stdout) as { version: string }).version,
      '1.0.0',
      `right after the restart banner: ${answer2.stdout}`,
    );
    const shown2 = bash(clone, [again[0]], show2, withKey);
    assert.equal(shown2.code, 0, shown2.stderr);
    assert.match(
      shown2.stdout,
      /^breast-cancer-v1\.0\.0-\d{8}-\d{4} {2}binary-classification {2}aliases: production/,
    );
    assert.equal(again[3], 'node bin/modelgate.js keys create --local --name rescue --scopes admin');
    const rescue = bash(clone, [], again[3]);
    assert.equal(rescue.code, 0, rescue.stderr);
    const rescueKey = /key \(shown once, store it now\): (mg_\S+)/.exec(rescue.stdout)![1]!;
    const listed = bash(clone, [again[0]], `node bin/modelgate.js keys list --json`, {
      MODELGATE_API_KEY: rescueKey,
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ name: string }>).some((k) => k.name === 'rescue'));
    assert.equal(await second.stop(), 0);
  },
);
