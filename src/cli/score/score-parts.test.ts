import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResultFile } from './result-file.js';
import { openRowSource } from './row-source.js';
import { progressLine } from './score-run.js';

describe('progressLine', () => {
  const cases: Array<[number, number, number, number, string]> = [
    [0, 0, 0, 100, '0 rows  0 rows/s'],
    [12_000, 3_000, 45, 100, '12,000 rows  4,000 rows/s  45%  ETA 0:04'],
    [100_000, 25_000, 100, 100, '100,000 rows  4,000 rows/s  100%'],
    [5_000, 1_000, 1, 100, '5,000 rows  5,000 rows/s  1%  ETA 1:39'],
    [5_000, 60_000, 1, 100, '5,000 rows  83 rows/s  1%  ETA 1:39:00'],
  ];
  for (const [done, ms, read, size, line] of cases)
    it(line, () => assert.equal(progressLine(done, ms, read, size), line));
});

describe('ResultFile.open with resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-result-'));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: Array<{ name: string; text: string; format: 'csv' | 'jsonl'; lastRow: number; kept: string }> =
    [
      { name: 'empty', text: '', format: 'csv', lastRow: 0, kept: '' },
      { name: 'header only', text: 'row,id\n', format: 'csv', lastRow: 0, kept: 'row,id\n' },
      { name: 'a cut header', text: 'row,i', format: 'csv', lastRow: 0, kept: '' },
      {
        name: 'csv, complete',
        text: 'row,id\n1,a\n2,b\n',
        format: 'csv',
        lastRow: 2,
        kept: 'row,id\n1,a\n2,b\n',
      },
      {
        name: 'csv, a cut line',
        text: 'row,id\n1,a\n2,b\n3,"x',
        format: 'csv',
        lastRow: 2,
        kept: 'row,id\n1,a\n2,b\n',
      },
      {
        name: 'jsonl, a cut line',
        text: '{"row":7}\n{"row":9}\n{"ro',
        format: 'jsonl',
        lastRow: 9,
        kept: '{"row":7}\n{"row":9}\n',
      },
    ];
  for (const c of cases)
    it(c.name, () => {
      const p = file(`${c.name}.${c.format}`, c.text);
      const f = ResultFile.open(p, { resume: true, force: false, format: c.format });
      f.close();
      assert.equal(f.resume.lastRow, c.lastRow);
      assert.equal(readFileSync(p, 'utf8'), c.kept);
    });
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

describe('openRowSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-source-'));
  const read = async (
    name: string,
    text: string,
    features: Array<{ name: string; type: string }>,
    id?: string,
  ) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    const out: unknown[] = [];
    for await (const r of openRowSource(p, features, id).rows) out.push(r);
    return out;
  };
  it('JSONL: the id field leaves the instance, unless it is a feature', async () => {
    assert.deepEqual(
      await read('a.jsonl', '{"id":"x","f":1}\n\n{"f":2}\n', [{ name: 'f', type: 'number' }]),
      [
        { row: 1, id: 'x', instance: { f: 1 } },
        { row: 2, id: 2, instance: { f: 2 } },
      ],
    );
    assert.deepEqual(await read('b.jsonl', '{"id":7,"f":1}\n', [{ name: 'id', type: 'integer' }]), [
      { row: 1, id: 7, instance: { id: 7, f: 1 } },
    ]);
  });
  it('CSV: cells typed by the features, a cell of another type sent as written', async () => {
    const features = [
      { name: 'n', type: 'number' },
      { name: 'b', type: 'boolean' },
      { name: 'c', type: 'category' },
    ];
    assert.deepEqual(
      await read(
        'c.csv',
        'key,n,b,c,extra\nk1,1.5,true,x,z\nk2,NA,0,,z\nk3,abc,maybe,7,z\n',
        features,
        'key',
      ),
      [
        { row: 1, id: 'k1', instance: { n: 1.5, b: true, c: 'x' } },
        { row: 2, id: 'k2', instance: { n: null, b: false, c: null } },
        { row: 3, id: 'k3', instance: { n: 'abc', b: 'maybe', c: '7' } },
      ],
    );
  });
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
