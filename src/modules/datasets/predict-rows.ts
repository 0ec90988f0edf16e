import { AppError } from '../../shared/errors.js';

/** A model version as a dataset sees it: check rows against its contract, predict them. */
export interface RowModel<P> {
  /** problems with pointers `/{row}/{feature}` (empty: valid) */
  validate(rows: Array<Record<string, unknown>>): Array<{ pointer: string; detail: string }>;
  predict(rows: Array<Record<string, unknown>>): Promise<P[]>;
}

const BATCH = 1000;

/**
 * Predicts every row of a data file in batches, each batch validated first: the first invalid
 * row stops it with an AppError (`code`) naming the row (1-based) and the problem.
 */
export async function predictRows<P>(
  model: RowModel<P>,
  rows: Array<Record<string, unknown>>,
  what: string,
  code: 'MANIFEST_INVALID' | 'DATA_INVALID',
): Promise<P[]> {
  const out: P[] = [];
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH);
    const problems = model.validate(batch);
    if (problems.length > 0) {
      const first = problems[0]!;
      const row = Number(/^\/(\d+)/.exec(first.pointer)?.[1] ?? 0) + start + 1;
      const field = first.pointer.replace(/^\/\d+/, '') || '/';
      throw new AppError(code, `${what}, row ${row}: ${field} ${first.detail}`);
    }
    out.push(...(await model.predict(batch)));
  }
  return out;
}
