import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO } from './server.js';

/** The rows of a demo CSV file (models/demo/breast-cancer) as predict instances, label dropped. */
export function demoRows(file: string): Array<Record<string, number>> {
  const [header, ...lines] = readFileSync(join(DEMO, file), 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.slice(0, -1).map((n, i) => [n, Number(cells[i])]));
  });
}
