import { parse } from 'csv-parse/sync';
import { AppError, type FieldProblem } from '../../shared/errors.js';
import type { VersionSignature } from '../registry/types.js';

/** Rows read from a CSV file, typed by a version's features, with the label column if asked for. */
export interface CsvDataset {
  rows: Array<Record<string, unknown>>;
  /** the label column's raw values (as written), when a label column was given */
  labels?: string[];
  /** columns present in the file that are neither a feature nor the label */
  ignored: string[];
}

type Feature = VersionSignature['features'][number];

/** Text that means "no value" in a numeric or boolean column. */
const MISSING = new Set(['', 'na', 'nan', 'null', 'none']);
const MAX_ROWS = 1_000_000;

/**
 * Parses a CSV file with a header row into instances for a version: one value per feature, typed
 * by the feature (numbers, integers, booleans, categories; empty or NA cells are missing, i.e.
 * null). Columns are matched by name; a missing feature column or an unreadable cell is an
 * AppError (`code`) naming the row (1-based, header excluded) and column.
 */
export function readCsvDataset(
  text: string,
  features: readonly Feature[],
  options: { what: string; code: 'MANIFEST_INVALID' | 'DATA_INVALID'; labelColumn?: string },
): CsvDataset {
  const fail = (detail: string, errors?: FieldProblem[]) =>
    new AppError(options.code, `${options.what}: ${detail}`, errors ? { errors } : {});
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (err) {
    throw fail(`not a readable CSV file (${(err as Error).message.slice(0, 200)})`);
  }
  const [header, ...body] = records;
  if (!header || body.length === 0) throw fail('needs a header row and at least one data row');
  if (body.length > MAX_ROWS) throw fail(`has ${body.length} rows; at most ${MAX_ROWS} are read`);
  const index = new Map(header.map((name, i) => [name, i]));
  const missing = features.filter((f) => !index.has(f.name)).map((f) => f.name);
  if (missing.length > 0)
    throw fail(`has no column for feature${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  let labelAt: number | undefined;
  if (options.labelColumn !== undefined) {
    labelAt = index.get(options.labelColumn);
    if (labelAt === undefined) throw fail(`has no label column '${options.labelColumn}'`);
  }
  const used = new Set([
    ...features.map((f) => f.name),
    ...(options.labelColumn ? [options.labelColumn] : []),
  ]);
  const columns = features.map((f) => ({ feature: f, at: index.get(f.name)! }));
  const rows = body.map((record, r) => {
    const row: Record<string, unknown> = {};
    for (const { feature, at } of columns) {
      const cell = record[at]!;
      const value = cellValue(feature, cell);
      if (value === undefined) {
        throw fail(`row ${r + 1}, column ${feature.name}: '${cell.slice(0, 40)}' is not a ${feature.type}`, [
          { pointer: `/${r + 1}/${feature.name}`, detail: `'${cell.slice(0, 40)}' is not a ${feature.type}` },
        ]);
      }
      row[feature.name] = value;
    }
    return row;
  });
  return {
    rows,
    ...(labelAt !== undefined ? { labels: body.map((record) => record[labelAt]!) } : {}),
    ignored: header.filter((name) => !used.has(name)),
  };
}

/** A cell as the feature's type; null when missing; undefined when it cannot be one. */
function cellValue(feature: Feature, cell: string): unknown {
  const lower = cell.toLowerCase();
  if (feature.type === 'category') {
    if (cell === '') return null;
    // categories declared as numbers (values: [1, 2, 3]) are numbers in requests too
    const numeric = feature.values?.length && feature.values.every((v) => typeof v === 'number');
    return numeric ? (Number.isFinite(Number(cell)) ? Number(cell) : cell) : cell;
  }
  if (MISSING.has(lower)) return null;
  if (feature.type === 'boolean') {
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    return undefined;
  }
  const n = Number(cell);
  if (!Number.isFinite(n)) return undefined;
  if (feature.type === 'integer' && !Number.isInteger(n)) return undefined;
  return n;
}
