import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { fileError, ModelgateLocalError } from '../../client/local-files.js';

/** One input row: its 1-based number in the file (header excluded), its id, the instance sent. */
export interface SourceRow {
  row: number;
  id: string | number;
  instance: Record<string, unknown>;
  /** set when the row could not be read (a JSONL line that is not an object) */
  problem?: string;
}

/** The features the rows are typed by (the served version's signature). */
export interface SourceFeature {
  name: string;
  type: string;
  values?: Array<string | number>;
}

export interface RowSource {
  rows: AsyncIterable<SourceRow>;
  /** bytes of the file read so far, and its size: progress and ETA */
  bytesRead(): number;
  size: number;
}

export type DataFormat = 'csv' | 'jsonl';

export const formatOf = (path: string, option: string): DataFormat => {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new ModelgateLocalError('INPUT_INVALID', `${option} ${path}: name a .csv or .jsonl file`, path);
};

/**
 * Streams a CSV or JSONL file row by row (never the whole file): CSV cells typed by the features
 * (a cell that is not of its feature's type is sent as written, so the server's validation names
 * it), JSONL lines parsed as instances. The id is the id column's value, else the row number.
 */
export function openRowSource(
  path: string,
  features: readonly SourceFeature[],
  idColumn: string | undefined,
): RowSource {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw fileError(err, path, '--data');
  }
  const stream = createReadStream(path);
  // bytes of the rows given out so far (not of the chunks read ahead): progress and ETA
  const position = { bytes: 0 };
  const rows =
    formatOf(path, '--data') === 'csv'
      ? csvRows(stream, path, features, idColumn, position)
      : jsonlRows(stream, idColumn, position, new Set(features.map((f) => f.name)));
  return { rows, bytesRead: () => position.bytes, size };
}

async function* csvRows(
  stream: NodeJS.ReadableStream,
  path: string,
  features: readonly SourceFeature[],
  idColumn: string | undefined,
  position: { bytes: number },
): AsyncGenerator<SourceRow> {
  const parser = stream.pipe(
    parse({ bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }),
  );
  let columns: Array<{ feature: SourceFeature; at: number }> | undefined;
  let idAt: number | undefined;
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    position.bytes = parser.info.bytes;
    if (!columns) {
      const index = new Map(record.map((name, i) => [name, i]));
      const missing = features.filter((f) => !index.has(f.name)).map((f) => f.name);
      if (missing.length > 0)
        throw new ModelgateLocalError(
          'INPUT_INVALID',
          `${path} has no column for feature${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          path,
        );
      if (idColumn !== undefined && !index.has(idColumn) && idColumn !== 'id')
        throw new ModelgateLocalError('INPUT_INVALID', `${path} has no id column '${idColumn}'`, path);
      idAt = index.get(idColumn ?? 'id');
      columns = features.map((feature) => ({ feature, at: index.get(feature.name)! }));
      continue;
    }
    row++;
    const instance: Record<string, unknown> = {};
    for (const { feature, at } of columns) instance[feature.name] = typed(feature, record[at] ?? '');
    yield { row, id: idAt !== undefined ? (record[idAt] ?? row) : row, instance };
  }
}

async function* jsonlRows(
  stream: NodeJS.ReadableStream,
  idColumn: string | undefined,
  position: { bytes: number },
  featureNames: ReadonlySet<string>,
): AsyncGenerator<SourceRow> {
  let row = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    position.bytes += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      yield { row, id: row, instance: {}, problem: `not JSON: ${(err as Error).message}` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { row, id: row, instance: {}, problem: 'must be a JSON object of feature values' };
      continue;
    }
    const instance = { ...(value as Record<string, unknown>) };
    const key = idColumn ?? 'id';
    const id = instance[key];
    // an id that is also a feature stays in the instance
    if (!featureNames.has(key)) delete instance[key];
    yield { row, id: typeof id === 'string' || typeof id === 'number' ? id : row, instance };
  }
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none']);

/** A CSV cell as its feature's type; as written when it is not one (the server then names it). */
function typed(feature: SourceFeature, cell: string): unknown {
  if (feature.type === 'category') {
    if (cell === '') return null;
    const numeric = feature.values?.length && feature.values.every((v) => typeof v === 'number');
    return numeric && Number.isFinite(Number(cell)) ? Number(cell) : cell;
  }
  const lower = cell.toLowerCase();
  if (MISSING.has(lower)) return null;
  if (feature.type === 'boolean') {
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    return cell;
  }
  const n = Number(cell);
  return Number.isFinite(n) ? n : cell;
}
