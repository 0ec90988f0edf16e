import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResultFile } from './result-file.js';
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
