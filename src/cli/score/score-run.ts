import type { BatchOutcome, BatchTarget } from './score-batch.js';
import { scoreBatch } from './score-batch.js';
import { csvHeader, csvLine, errorLine, jsonLine } from './format-results.js';
import type { ResultFile } from './result-file.js';
import type { RowSource, SourceRow } from './row-source.js';

export interface ScoreRunOptions {
  batchSize: number;
  concurrency: number;
  out: ResultFile;
  outFormat: 'csv' | 'jsonl';
  errors: ResultFile;
  /** shows a progress line (a TTY); undefined: silent */
  progress?: (line: string) => void;
  now: () => number;
}

export interface ScoreSummary {
  /** rows read from the input in this run (after the skipped ones) */
  rows: number;
  scored: number;
  errors: number;
  /** rows skipped because an earlier run had written them (--resume) */
  skipped: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * Scores a stream of rows in batches, `concurrency` requests in flight, and writes the results in
 * the input's order: a finished batch waits until every batch before it is written, so at most
 * `concurrency` batches are held in memory. Each batch writes its errors before its scores; a
 * resumed run starts after the last scored row and skips errors it already wrote.
 */
export async function runScore(
  source: RowSource,
  target: BatchTarget,
  o: ScoreRunOptions,
): Promise<ScoreSummary> {
  const started = o.now();
  const resumeAfter = o.out.resume.lastRow;
  const errorsUpTo = Math.max(o.errors.resume.lastRow, resumeAfter);
  let header = o.out.resume.header?.split(',');
  const finished = new Map<number, BatchOutcome>();
  const inFlight = new Set<Promise<void>>();
  let nextToWrite = 0;
  let batchCount = 0;
  const s = { rows: 0, scored: 0, errors: 0, skipped: 0 };
  let lastDraw = 0;

  const flush = () => {
    for (let b = finished.get(nextToWrite); b; b = finished.get(nextToWrite)) {
      finished.delete(nextToWrite++);
      const errs = b.failed.filter((f) => f.row > errorsUpTo);
      o.errors.append(errs.map(errorLine).join(''));
      if (o.outFormat === 'csv' && header === undefined && b.scored[0]) {
        header = csvHeader(b.scored[0]);
        o.out.append(header.join(',') + '\n');
      }
      o.out.append(b.scored.map((r) => (o.outFormat === 'csv' ? csvLine(header!, r) : jsonLine(r))).join(''));
      s.scored += b.scored.length;
      s.errors += b.failed.length;
    }
    draw(false);
  };
  const draw = (force: boolean) => {
    const t = o.now();
    if (!o.progress || (!force && t - lastDraw < 200)) return;
    lastDraw = t;
    o.progress(progressLine(s.scored + s.errors, t - started, source.bytesRead(), source.size));
  };
  const submit = (index: number, rows: SourceRow[]) => {
    const p = scoreBatch(target, rows).then((outcome) => {
      finished.set(index, outcome);
      flush();
    });
    inFlight.add(p);
    void p.then(
      () => inFlight.delete(p),
      () => inFlight.delete(p),
    );
  };

  try {
    let batch: SourceRow[] = [];
    for await (const row of source.rows) {
      if (row.row <= resumeAfter) {
        s.skipped++;
        continue;
      }
      s.rows++;
      batch.push(row);
      if (batch.length < o.batchSize) continue;
      submit(batchCount++, batch);
      batch = [];
      if (inFlight.size >= o.concurrency) await Promise.race(inFlight);
    }
    if (batch.length > 0) submit(batchCount++, batch);
    await Promise.all(inFlight);
  } catch (err) {
    // let the requests in flight finish, so every batch before the failed one is written
    await Promise.allSettled(inFlight);
    throw err;
  } finally {
    if (o.progress) o.progress('');
  }
  const seconds = (o.now() - started) / 1000;
  return { ...s, seconds, rowsPerSecond: seconds > 0 ? (s.scored + s.errors) / seconds : 0 };
}

/** `12,000 rows  3,400 rows/s  45%  ETA 0:12` (percentage and ETA from the bytes read). */
export function progressLine(done: number, elapsedMs: number, bytesRead: number, size: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const parts = [
    `${done.toLocaleString('en-US')} rows`,
    `${Math.round(rate).toLocaleString('en-US')} rows/s`,
  ];
  if (size > 0 && bytesRead > 0) {
    const share = Math.min(1, bytesRead / size);
    parts.push(`${Math.floor(share * 100)}%`);
    if (share > 0 && share < 1) parts.push(`ETA ${clock(((elapsedMs / share) * (1 - share)) / 1000)}`);
  }
  return parts.join('  ');
}

const clock = (seconds: number) => {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
};
