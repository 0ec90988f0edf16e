import type { Readable } from 'node:stream';

/** Where relayed text goes (process.stdout / process.stderr). */
export interface TextSink {
  write(text: string): unknown;
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
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const end = chunk.lastIndexOf('\n');
    if (end === -1) {
      pending += chunk;
      return;
    }
    to.write(pending + chunk.slice(0, end + 1));
    pending = chunk.slice(end + 1);
  });
  from.on('end', () => {
    if (pending) to.write(pending + '\n');
    pending = '';
  });
}
