import type { PredictResponse } from '../../http/schemas.js';

/** One scored row as written: where it came from, which answer holds it, the prediction. */
export interface ScoredRow {
  row: number;
  id: string | number;
  predictionId: string;
  /** the row's position in its request: feedback names a prediction by (prediction_id, index) */
  index: number;
  version: string;
  prediction: PredictResponse['predictions'][number];
}

export interface FailedRow {
  row: number;
  id: string | number;
  errors: Array<{ pointer: string; detail: string }>;
}

/** The CSV columns for answers like `first`: row and id first (a resumed run reads `row` back). */
export function csvHeader(first: ScoredRow): string[] {
  const p = first.prediction;
  const base = ['row', 'id', 'prediction_id', 'prediction_index', 'version'];
  if (p.value !== undefined && p.label === undefined) return [...base, 'value'];
  return [...base, 'label', ...Object.keys(p.probabilities ?? {}).map((c) => `p_${c}`)];
}

export function csvLine(header: readonly string[], r: ScoredRow): string {
  const p = r.prediction;
  const cells = header.map((col) => {
    switch (col) {
      case 'row':
        return r.row;
      case 'id':
        return r.id;
      case 'prediction_id':
        return r.predictionId;
      case 'prediction_index':
        return r.index;
      case 'version':
        return r.version;
      case 'value':
        return p.value;
      case 'label':
        return p.label;
      default:
        return col.startsWith('p_') ? p.probabilities?.[col.slice(2)] : undefined;
    }
  });
  return cells.map((c) => csvCell(c === undefined || c === null ? '' : String(c))).join(',') + '\n';
}

export function jsonLine(r: ScoredRow): string {
  return (
    JSON.stringify({
      row: r.row,
      id: r.id,
      prediction_id: r.predictionId,
      prediction_index: r.index,
      version: r.version,
      ...r.prediction,
    }) + '\n'
  );
}

export const errorLine = (r: FailedRow): string =>
  JSON.stringify({ row: r.row, id: r.id, errors: r.errors }) + '\n';

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
