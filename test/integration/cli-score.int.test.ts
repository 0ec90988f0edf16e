// `modelgate score`: CSV and JSONL files scored through the predict API against a real server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliInProcess as cli } from '../helpers/cli.js';
import { DEMO, REPO, startTestServer, SuiteScope, type TestServer } from '../helpers/server.js';

const scope = new SuiteScope();
let s: TestServer;
let env: Record<string, string>;
let dir: string;
const TEST_CSV = readFileSync(join(DEMO, 'test.csv'), 'utf8').trim().split('\n');
const HEADER = TEST_CSV[0]!;
const BODY = TEST_CSV.slice(1);
const FEATURES = HEADER.split(',').slice(0, 30);

before(async () => {
  s = await startTestServer(scope, { demo: true, env: { MODELGATE_PREDICTION_LOG: 'true' } });
  env = { MODELGATE_URL: s.url, MODELGATE_API_KEY: s.adminKey };
  dir = mkdtempSync(join(tmpdir(), 'mg-score-'));
  scope.after(() => rmSync(dir, { recursive: true, force: true }));
});
after(() => scope.run());

/** `n` rows of the demo's test set (repeated), with an id column in front. */
function csvFile(name: string, n: number, edit?: (cells: string[], i: number) => void): string {
  const lines = [`id,${HEADER}`];
  for (let i = 0; i < n; i++) {
    const cells = BODY[i % BODY.length]!.split(',');
    edit?.(cells, i);
    lines.push([`r${i + 1}`, ...cells].join(','));
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('modelgate score', () => {
  it('CSV to CSV: every row in input order, with ids, prediction ids and the production answers', async () => {
    const data = csvFile('in.csv', 500);
    const out = join(dir, 'out.csv');
    const r = await cli(
      ['score', 'breast-cancer', '--data', data, '--out', out, '--batch-size', '7', '--concurrency', '4'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scored 500 rows, 0 errors in [\d.]+ s: \d+ rows\/s\n/);
    assert.equal(r.stderr, '', 'no progress line when standard error is not a terminal');
    const [header, ...rows] = lines(out);
    assert.equal(header, 'row,id,prediction_id,prediction_index,version,label,p_malignant,p_benign');
    assert.deepEqual(
      rows.map((l) => l.split(',').slice(0, 2).join(',')),
      Array.from({ length: 500 }, (_, i) => `${i + 1},r${i + 1}`),
    );
    // the same answers as a direct request, and (prediction_id, index) names the row
    const first = rows[8]!.split(',');
    const direct = await s.admin.predict('breast-cancer', [instanceOf(BODY[8]!)]);
    assert.equal(first[5], direct.predictions[0]!.label);
    assert.equal(Number(first[6]), direct.predictions[0]!.probabilities!.malignant);
    assert.equal(first[3], '1', 'row 9 is the second row of the second batch of 7');
    assert.equal(new Set(rows.map((l) => l.split(',')[2])).size, Math.ceil(500 / 7));
    assert.equal(existsSync(`${out}.errors.jsonl`) && readFileSync(`${out}.errors.jsonl`, 'utf8'), '');
  });

  it('JSONL to JSONL, a pinned version, the id column kept', async () => {
    const data = join(dir, 'in.jsonl');
    writeFileSync(
      data,
      BODY.slice(0, 25)
        .map((l, i) => JSON.stringify({ key: `k${i}`, ...instanceOf(l) }))
        .join('\n') + '\n',
    );
    const out = join(dir, 'out.jsonl');
    const r = await cli(
      [
        'score',
        'breast-cancer',
        '1.1.0',
        '--data',
        data,
        '--out',
        out,
        '--id-column',
        'key',
        '--batch-size',
        '10',
        '--json',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      (({ rows, scored, errors, skipped }) => ({ rows, scored, errors, skipped }))(
        JSON.parse(r.stdout) as Record<string, unknown>,
      ),
      { rows: 25, scored: 25, errors: 0, skipped: 0 },
    );
    const rows = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      rows.map((x) => [x.row, x.id, x.version]),
      Array.from({ length: 25 }, (_, i) => [i + 1, `k${i}`, '1.1.0']),
    );
    assert.deepEqual(Object.keys(rows[0]!), [
      'row',
      'id',
      'prediction_id',
      'prediction_index',
      'version',
      'label',
      'probabilities',
    ]);
  });

  it('a row the server refuses goes to the errors file; the rest of its batch is scored', async () => {
    const data = csvFile('bad.csv', 40, (cells, i) => {
      if (i === 12) cells[0] = 'twelve';
      if (i === 14) cells[4] = '';
    });
    const out = join(dir, 'bad-out.csv');
    const errors = join(dir, 'bad-errors.jsonl');
    const r = await cli(
      ['score', 'breast-cancer', '--data', data, '--out', out, '--errors', errors, '--batch-size', '16'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const failed = lines(errors).map((l) => JSON.parse(l) as { row: number; id: string; errors: unknown[] });
    const failedRows = failed.map((f) => f.row);
    assert.deepEqual(failed, [
      { row: 13, id: 'r13', errors: [{ pointer: '/mean_radius', detail: 'must be a number, got "twelve"' }] },
      { row: 15, id: 'r15', errors: [{ pointer: '/mean_smoothness', detail: 'must be a number, got null' }] },
    ]);
    const scored = lines(out)
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    assert.equal(scored.length + failed.length, 40);
    assert.deepEqual(
      [...scored, ...failedRows].sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    assert.match(r.stdout, new RegExp(`^scored ${scored.length} rows, ${failed.length} errors`));
  });

  it('JSONL lines that are not instances go to the errors file with the line number', async () => {
    const good = BODY.slice(0, 4).map((l) => JSON.stringify(instanceOf(l)));
    const { mean_radius: _, ...short } = instanceOf(BODY[5]!);
    const data = join(dir, 'mixed.jsonl');
    writeFileSync(
      data,
      [good[0], '{not json', good[1], '[1, 2]', JSON.stringify(short), good[2], '', good[3]].join('\n') +
        '\n',
    );
    const out = join(dir, 'mixed-out.jsonl');
    const r = await cli(['score', 'breast-cancer', '--data', data, '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      lines(out).map((l) => (JSON.parse(l) as { row: number }).row),
      [1, 3, 6, 7],
    );
    const failed = lines(`${out}.errors.jsonl`).map(
      (l) => JSON.parse(l) as { row: number; errors: Array<{ pointer: string; detail: string }> },
    );
    assert.deepEqual(
      failed.map((f) => [f.row, f.errors[0]!.pointer, f.errors[0]!.detail.replace(/:.*/, '')]),
      [
        [2, '', 'not JSON'],
        [4, '', 'must be a JSON object of feature values'],
        [5, '/mean_radius', 'is required'],
      ],
    );
  });

  it('a missing feature column stops before anything is sent', async () => {
    const data = join(dir, 'short.csv');
    writeFileSync(data, `${FEATURES.slice(1).join(',')}\n${BODY[0]!.split(',').slice(1, 30).join(',')}\n`);
    const out = join(dir, 'short-out.csv');
    const r = await cli(['score', 'breast-cancer', '--data', data, '--out', out], env);
    assert.deepEqual(
      [r.code, r.stderr],
      [1, `error: INPUT_INVALID: ${data} has no column for feature mean_radius\n`],
    );
    assert.equal(statSync(out).size, 0);
  });

  it('refuses to overwrite --out without --resume or --force', async () => {
    const out = join(dir, 'keep.csv');
    writeFileSync(out, 'mine\n');
    const r = await cli(['score', 'breast-cancer', '--data', csvFile('k.csv', 3), '--out', out], env);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: FILE_ERROR: .*keep\.csv exists; give --resume to continue it or --force to overwrite it/,
    );
    assert.equal(readFileSync(out, 'utf8'), 'mine\n');
  });

  it('--resume after a kill mid-run: exactly one line per input row, in order', async () => {
    const n = 30_000;
    const data = csvFile('resume.csv', n, (cells, i) => {
      if (i % 5000 === 77) cells[1] = 'bad';
    });
    const out = join(dir, 'resume-out.csv');
    const errors = join(dir, 'resume-errors.jsonl');
    const args = [
      'score',
      'breast-cancer',
      '--data',
      data,
      '--out',
      out,
      '--errors',
      errors,
      '--batch-size',
      '200',
      '--concurrency',
      '3',
    ];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 600 && !(existsSync(out) && statSync(out).size > 400_000); i++) await sleep(50);
    child.kill('SIGKILL');
    await exited;
    const before = lines(out).length - 1;
    assert.ok(before > 0 && before < n - 6, `killed mid-run (had ${before} rows)`);

    const r = await cli([...args, '--resume'], env);
    assert.equal(r.code, 0, r.stderr);
    const rows = lines(out)
      .slice(1)
      .map((l) => Number(l.split(',')[0]));
    const failed = lines(errors).map((l) => (JSON.parse(l) as { row: number }).row);
    assert.deepEqual(failed, [78, 5078, 10078, 15078, 20078, 25078]);
    assert.equal(rows.length, n - failed.length, 'one line per scored row, no duplicates');
    const expected = Array.from({ length: n }, (_, i) => i + 1).filter((x) => !failed.includes(x));
    assert.deepEqual(rows, expected);
    assert.match(r.stdout, /skipped \(already in/);
  });
});

function instanceOf(line: string): Record<string, number> {
  const cells = line.split(',');
  return Object.fromEntries(FEATURES.map((f, i) => [f, Number(cells[i])]));
}
