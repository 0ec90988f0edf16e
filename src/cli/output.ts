import Table from 'cli-table3';
import { ModelgateApiError, ModelgateConnectionError } from '../client/client.js';
import { ConfigError } from '../config/load-config.js';
import { AppError } from '../shared/errors.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export function printTable(
  io: Io,
  head: string[],
  rows: Array<Array<string | number | null | undefined>>,
): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  for (const r of rows) table.push(r.map((c) => (c === null || c === undefined ? '' : String(c))));
  io.out(table.toString());
}

/** Ends a command with an exit code after it has printed what it had to say. */
export class SilentExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/**
 * One clear line for any failure: the problem code and its detail (plus one line per field
 * problem), and a non-zero exit code: 1 for an answered error, 2 when the server is unreachable.
 */
export function reportFailure(io: Io, err: unknown): number {
  if (err instanceof SilentExit) return err.code;
  if (err instanceof ModelgateApiError) {
    io.err(`error: ${err.code}: ${err.detail}`);
    for (const e of err.errors.slice(0, 20)) io.err(`  ${e.pointer || '/'}: ${e.detail}`);
    return 1;
  }
  if (err instanceof AppError) {
    io.err(`error: ${err.code}: ${err.detail}`);
    for (const e of (err.extras.errors ?? []).slice(0, 20)) io.err(`  ${e.pointer || '/'}: ${e.detail}`);
    return 1;
  }
  if (err instanceof ModelgateConnectionError) {
    io.err(`error: ${err.message}`);
    return 2;
  }
  if (err instanceof ConfigError) {
    io.err(`error: ${err.message}`);
    return 1;
  }
  io.err(`error: ${(err as Error)?.message ?? String(err)}`);
  return 1;
}
