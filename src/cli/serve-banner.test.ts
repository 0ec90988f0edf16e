import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI_BIN, cliInvocation, shellQuote } from './invocation.js';
import { serveBanner, type BannerFacts } from './serve-banner.js';

const REPO = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

describe('cliInvocation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-path-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is `node bin/modelgate.js` in a clone without npm link, relative to the working directory', () => {
    assert.equal(cliInvocation({ PATH: '/usr/bin:/bin' }, REPO), 'node bin/modelgate.js');
    assert.equal(cliInvocation({}, join(REPO, 'docs')), 'node ../bin/modelgate.js');
  });

  it('is `modelgate` when that name on PATH is this install (npm link), not another one', () => {
    const a = mkdtempSync(join(dir, 'a-'));
    const b = mkdtempSync(join(dir, 'b-'));
    symlinkSync(join(REPO, 'package.json'), join(a, 'modelgate'));
    symlinkSync(CLI_BIN, join(b, 'modelgate'));
    assert.equal(cliInvocation({ PATH: a }, REPO), 'node bin/modelgate.js');
    assert.equal(cliInvocation({ PATH: `${a}:${b}` }, REPO), 'modelgate');
  });

  it('quotes only words the shell would split', () => {
    assert.deepEqual(['bin/modelgate.js', '/a b/c', "it's"].map(shellQuote), [
      'bin/modelgate.js',
      "'/a b/c'",
      `'it'\\''s'`,
    ]);
  });
});

describe('serveBanner', () => {
  const facts: BannerFacts = {
    url: 'http://127.0.0.1:8080',
    where: 'embedded: /srv/.modelgate/modelgate.db',
    demo: true,
    example: 'models/demo/breast-cancer/example-request.json',
    cli: 'node bin/modelgate.js',
    home: '/srv/.modelgate',
    cwd: '/srv',
  };

  it('prints the key once, with the commands to try it', () => {
    assert.equal(
      serveBanner({ ...facts, generatedAdminKey: 'mg_abc_def' }),
      [
        'modelgate listening on http://127.0.0.1:8080 (embedded: /srv/.modelgate/modelgate.db)',
        '',
        'Admin API key (shown once; store it now, only its hash is kept):',
        '  mg_abc_def',
        '',
        'Try the demo model:',
        '  export MODELGATE_URL=http://127.0.0.1:8080 MODELGATE_API_KEY=mg_abc_def',
        '  curl -s $MODELGATE_URL/v1/models/breast-cancer/predict -H "Authorization: Bearer $MODELGATE_API_KEY" \\',
        "    -H 'content-type: application/json' -d @models/demo/breast-cancer/example-request.json",
        '  node bin/modelgate.js models show breast-cancer 1.0.0',
      ].join('\n'),
    );
  });

  it('on a restart, says how to get a key back: with the store of this server', () => {
    const rescue = (f: Partial<BannerFacts>) =>
      serveBanner({ ...facts, ...f })
        .split('\n')
        .slice(-2);
    assert.deepEqual(rescue({}), [
      'Lost the admin key? Create another on this machine (the server may keep running):',
      '  node bin/modelgate.js keys create --local --name rescue --scopes admin',
    ]);
    assert.deepEqual(
      rescue({ home: '/data/my models' })[1],
      "  MODELGATE_HOME='/data/my models' node bin/modelgate.js keys create --local --name rescue --scopes admin",
    );
    const { home: _home, ...cluster } = facts;
    assert.deepEqual(serveBanner(cluster).split('\n').slice(-2), [
      'Lost the admin key? On a machine with this DATABASE_URL set, create another:',
      '  node bin/modelgate.js keys create --local --name rescue --scopes admin',
    ]);
    assert.doesNotMatch(serveBanner({ ...facts, demo: false }), /Lost|Try/);
  });
});
