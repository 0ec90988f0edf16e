import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { cli } from '../helpers/cli.js';

it('report drift draws nothing from a drift report of the wrong shape (a stub server)', async (t) => {
  const server = createServer((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(
        JSON.stringify({ model: 'm', version: '1', columns: [{ verdict: '<img src=x onerror=alert(1)>' }] }),
      ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  const out = join(mkdtempSync(join(tmpdir(), 'modelgate-report-')), 'report.html');
  const r = await cli(['report', 'drift', 'm', '--out', out], {
    MODELGATE_URL: `http://127.0.0.1:${port}`,
    MODELGATE_API_KEY: 'mg_stub',
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the server's drift report has an unexpected shape \(.+\); nothing was written/);
  assert.equal(existsSync(out), false);
});
