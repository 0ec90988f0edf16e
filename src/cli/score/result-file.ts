import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { fileError, ModelgateLocalError } from '../../client/local-files.js';

/** What an earlier, interrupted run left in a file: its header and the last row it holds. */
export interface ResumePoint {
  /** the CSV header line, when the file has one */
  header?: string;
  /** the `row` of the last complete line; 0 when there is none */
  lastRow: number;
}

const TAIL = 1 << 20;

/**
 * An append-only line file (the scores, or the errors). Opening it to resume cuts an incomplete
 * last line (the run was killed while writing it) and reports the last complete line's row, so
 * the next run starts right after it.
 */
export class ResultFile {
  readonly #fd: number;

  private constructor(
    readonly path: string,
    fd: number,
    readonly resume: ResumePoint,
  ) {
    this.#fd = fd;
  }

  static open(path: string, o: { resume: boolean; force: boolean; format: 'csv' | 'jsonl' }): ResultFile {
    if (!o.resume && !o.force && existsSync(path))
      throw new ModelgateLocalError(
        'FILE_ERROR',
        `${path} exists; give --resume to continue it or --force to overwrite it`,
        path,
      );
    let fd: number;
    try {
      fd = openSync(path, o.resume ? 'a+' : 'w');
    } catch (err) {
      throw fileError(err, path);
    }
    const resume = o.resume ? cutToLastLine(fd, path, o.format) : { lastRow: 0 };
    return new ResultFile(path, fd, resume);
  }

  append(text: string): void {
    if (text.length === 0) return;
    try {
      writeSync(this.#fd, text);
    } catch (err) {
      throw fileError(err, this.path);
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}

function cutToLastLine(fd: number, path: string, format: 'csv' | 'jsonl'): ResumePoint {
  const size = fstatSync(fd).size;
  if (size === 0) return { lastRow: 0 };
  const head = read(fd, 0, Math.min(size, 64 * 1024));
  const headerEnd = head.indexOf('\n');
  const header = format === 'csv' && headerEnd >= 0 ? head.slice(0, headerEnd) : undefined;
  const start = Math.max(0, size - TAIL);
  const tail = read(fd, start, size - start);
  const end = tail.lastIndexOf('\n');
  if (end < 0) {
    ftruncateSync(fd, 0);
    return { lastRow: 0 };
  }
  const cut = start + Buffer.byteLength(tail.slice(0, end + 1));
  if (cut < size) ftruncateSync(fd, cut);
  const prev = tail.lastIndexOf('\n', end - 1);
  const line = tail.slice(prev + 1, end);
  if (header !== undefined && start + Buffer.byteLength(tail.slice(0, prev + 1)) === 0)
    return { header, lastRow: 0 };
  return { ...(header !== undefined ? { header } : {}), lastRow: rowOf(line, header, path) };
}

function rowOf(line: string, header: string | undefined, path: string): number {
  let row: unknown;
  if (header === undefined) row = (JSON.parse(line) as { row?: unknown }).row;
  else {
    const at = header.split(',').indexOf('row');
    // `row` precedes any quoted cell, so a plain split finds it
    row = at >= 0 ? Number(line.split(',')[at]) : undefined;
  }
  if (typeof row !== 'number' || !Number.isInteger(row))
    throw new ModelgateLocalError(
      'INPUT_INVALID',
      `${path}: its last line has no row number; it was not written by modelgate score`,
      path,
    );
  return row;
}

function read(fd: number, position: number, length: number): string {
  const buf = Buffer.alloc(length);
  readSync(fd, buf, 0, length, position);
  return buf.toString('utf8');
}
