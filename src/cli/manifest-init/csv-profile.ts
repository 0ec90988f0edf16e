import { parse } from 'csv-parse/sync';
import { ModelgateLocalError } from '../../client/local-files.js';

/** What a column of a sample CSV shows: enough to draft a feature. */
export interface ColumnProfile {
  name: string;
  /** cells that hold a value (not empty, NA, NaN, null, none) */
  present: number;
  missing: number;
  /** every present cell is a finite number */
  numeric: boolean;
  /** every present cell is true/false (any case) */
  boolean: boolean;
  min?: number;
  max?: number;
  /** distinct present values in first-seen order, up to MAX_CATEGORIES (undefined beyond) */
  distinct?: string[];
}

export interface CsvProfile {
  file: string;
  columns: ColumnProfile[];
  /** the rows as text cells by column name, for the label check and smoke tests */
  rows: Array<Record<string, string>>;
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none']);
export const MAX_CATEGORIES = 1000;
/** A sample is enough to draft a manifest; a bigger file is read up to this many rows. */
export const MAX_PROFILE_ROWS = 100_000;

export const isMissing = (cell: string): boolean => MISSING.has(cell.trim().toLowerCase());

/** Reads a CSV file's text (header row first) into per-column profiles. */
export function profileCsv(text: string, file: string): CsvProfile {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, to: MAX_PROFILE_ROWS + 1 });
  } catch (err) {
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${file}: not a readable CSV file (${(err as Error).message.slice(0, 200)})`,
      file,
    );
  }
  const [header, ...body] = records;
  if (!header || body.length === 0)
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${file}: needs a header row and at least one data row`,
      file,
    );
  const columns = header.map((name, i) =>
    profileColumn(
      name,
      body.map((r) => r[i] ?? ''),
    ),
  );
  const rows = body.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ''])));
  return { file, columns, rows };
}

function profileColumn(name: string, cells: string[]): ColumnProfile {
  const p: ColumnProfile = { name, present: 0, missing: 0, numeric: true, boolean: true };
  const distinct = new Set<string>();
  for (const cell of cells) {
    if (isMissing(cell)) {
      p.missing++;
      continue;
    }
    p.present++;
    if (distinct.size <= MAX_CATEGORIES) distinct.add(cell);
    const n = Number(cell);
    if (Number.isFinite(n) && cell.trim() !== '') {
      p.min = p.min === undefined ? n : Math.min(p.min, n);
      p.max = p.max === undefined ? n : Math.max(p.max, n);
    } else p.numeric = false;
    if (!/^(true|false)$/i.test(cell)) p.boolean = false;
  }
  if (p.present === 0) {
    p.numeric = false;
    p.boolean = false;
  }
  if (!p.numeric) {
    delete p.min;
    delete p.max;
  }
  if (distinct.size <= MAX_CATEGORIES) p.distinct = [...distinct];
  return p;
}

/** `data.csv:column` → file and column (the last colon splits, so Windows drive letters survive). */
export function splitFileColumn(spec: string, option: string): { file: string; column: string } {
  const at = spec.lastIndexOf(':');
  if (at <= 0 || at === spec.length - 1)
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${option} wants FILE:COLUMN (e.g. data.csv:target), got '${spec}'`,
      option,
    );
  return { file: spec.slice(0, at), column: spec.slice(at + 1) };
}
