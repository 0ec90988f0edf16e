import type { Readable } from 'node:stream';

/** Where relayed text goes (process.stdout / process.stderr). */
export interface TextSink {
  write(bytes: Buffer): unknown;
}

/**
 * Copies a worker's output to the primary's, whole lines only. Workers write their JSON log
 * lines in 4 kB chunks (shared/logger.ts); N workers writing such chunks to one pipe could
 * interleave inside a line, since only writes up to PIPE_BUF are atomic. Through the primary,
 * each chunk is cut after its last newline and the rest waits for the next chunk, so lines from
 * different workers never mix. What is left when the worker's stream ends is written with a
 * newline.
 */
export function relayLines(from: Readable, to: TextSink): void {
  // bytes, not strings: no decoding and encoding again of every log line on its way through
  let pending: Buffer | undefined;
  from.on('data', (chunk: Buffer) => {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end === -1) {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      return;
    }
    const lines = chunk.subarray(0, end + 1);
    to.write(pending ? Buffer.concat([pending, lines]) : lines);
    pending = end + 1 < chunk.length ? chunk.subarray(end + 1) : undefined;
  });
  from.on('end', () => {
    if (pending) to.write(Buffer.concat([pending, Buffer.from('\n')]));
    pending = undefined;
  });
}

const NEWLINE = 0x0a;
