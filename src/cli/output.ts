import Table from 'cli-table3';
import { ModelgateApiError, ModelgateConnectionError } from '../client/client.js';
import { fileError, ModelgateLocalError } from '../client/local-files.js';
import { ConfigError } from '../config/load-config.js';
import { AppError } from '../shared/errors.js';
import { CliError } from './cli-error.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** standard output is a terminal: views may redraw in place */
  readonly tty?: boolean;
  /** the terminal's width, for redrawing wrapped lines */
  readonly columns?: number;
  /**
   * Redraws one status line (progress) on standard error when it is a terminal; absent or a
   * no-op otherwise, so logs and pipes stay clean. An empty text clears the line.
   */
  readonly status?: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  get tty() {
    return process.stdout.isTTY === true;
  },
  get columns() {
    return process.stdout.columns;
  },
  status: (t) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${t}`);
  },
};

/**
 * A reader that went away (`modelgate … | head -1`) is not a failure: the process ends quietly
 * with status 0, as Unix tools do, instead of an unhandled EPIPE stack trace.
 */
export function endQuietlyWhenReaderCloses(
  stream: NodeJS.WriteStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') exit(0);
    else throw err;
  });
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export function printTable(
  io: Io,
  head: string[],
  rows: Array<Array<string | number | null | undefined>>,
): void {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const r of rows) table.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  io.out(table.toString());
}

/** Ends a command with an exit code after it has printed what it had to say. */
export class SilentExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

interface Failure {
  code: string;
  detail: string;
  errors?: Array<{ pointer: string; detail: string }>;
  status?: number;
}

function describe(err: unknown): Failure {
  if (err instanceof ModelgateApiError) return { code: err.code, detail: err.detail, errors: err.errors };
  if (err instanceof AppError) return { code: err.code, detail: err.detail, errors: err.extras.errors ?? [] };
  if (err instanceof ModelgateConnectionError) return { code: err.code, detail: err.message, status: 2 };
  if (err instanceof ModelgateLocalError || err instanceof CliError) return err;
  if (err instanceof ConfigError) return { code: 'CONFIG_INVALID', detail: err.problems.join('; ') };
  const path = (err as NodeJS.ErrnoException)?.path;
  if (typeof path === 'string') return fileError(err, path);
  return { code: 'CLI_FAILED', detail: (err as Error)?.message ?? String(err) };
}

/**
 * One line for any failure, `error: CODE: detail` (a server answer's problem code, or one of
 * CLI_ERROR_CODES), then one indented line per field problem; the exit code is 1, or 2 when the
 * server is unreachable.
 */
export function reportFailure(io: Io, err: unknown): number {
  if (err instanceof SilentExit) return err.code;
  const { code, detail, errors = [], status = 1 } = describe(err);
  io.err(`error: ${code}: ${detail.replace(/\s*\n\s*/g, ' ')}`);
  for (const e of errors.slice(0, 20)) io.err(`  ${e.pointer || '/'}: ${e.detail}`);
  return status;
}
