import { write, writeSync } from 'node:fs';

export interface BufferedFdOptions {
  /** write once this many characters are buffered... */
  minLength: number;
  /** ...or at the latest this long after a line came (a quiet server fills no chunk) */
  intervalMs: number;
  /** characters buffered past which new lines are dropped (counted) while the fd does not keep up:
   * a stalled stdout costs lines, never unbounded memory */
  maxLength: number;
}

/** fds whose destinations still hold lines when the process exits: written synchronously then */
const open = new Set<BufferedFd>();
let exitHookInstalled = false;

/**
 * Log lines to a file descriptor, written asynchronously in chunks. Lines are kept as an array of
 * strings and joined once per write. (pino's sonic-boom appends each line to its last chunk and
 * asks that growing string's byte length on every write, flattening it each time: with 32 kB
 * chunks 12.5 µs of CPU per line against 3.2 µs here, bench/profile-steps.ts and the issue 15
 * notes.) One write in flight at a time, so lines stay in order; partial writes continue where
 * they stopped; EAGAIN (a full non-blocking pipe) retries shortly after. What is buffered when the
 * process exits — also after an uncaught exception — is written synchronously.
 */
export class BufferedFd {
  #parts: string[] = [];
  #length = 0;
  #writing = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;
  /** lines dropped because maxLength was reached */
  dropped = 0;

  constructor(
    private readonly fd: number,
    private readonly options: BufferedFdOptions,
  ) {
    this.#timer = setInterval(() => this.flush(), options.intervalMs).unref();
    open.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => {
        for (const d of open) d.flushSync();
      });
    }
  }

  /** Characters buffered and not yet handed to a write. */
  get buffered(): number {
    return this.#length;
  }

  write(line: string): boolean {
    if (this.#closed) return false;
    if (this.#length + line.length > this.options.maxLength) {
      this.dropped++;
      return false;
    }
    this.#parts.push(line);
    this.#length += line.length;
    if (!this.#writing && this.#length >= this.options.minLength) this.#writeBuffered();
    return true;
  }

  /** Starts writing what is buffered, unless a write is under way (its end writes the rest). */
  flush(): void {
    if (!this.#writing && this.#length > 0) this.#writeBuffered();
  }

  /** Writes everything buffered before returning (process exit). */
  flushSync(): void {
    if (this.#length === 0) return;
    const data = Buffer.from(this.#take());
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += writeSync(this.fd, data, offset);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        return; // the fd is gone (closed pipe): nothing more can be written
      }
    }
  }

  /** Writes what is buffered, then stops taking lines. */
  end(): void {
    clearInterval(this.#timer);
    this.flushSync();
    this.#closed = true;
    open.delete(this);
  }

  #take(): string {
    const data = this.#parts.length === 1 ? this.#parts[0]! : this.#parts.join('');
    this.#parts = [];
    this.#length = 0;
    return data;
  }

  #writeBuffered(): void {
    this.#writing = true;
    this.#writeChunk(Buffer.from(this.#take()), 0);
  }

  #writeChunk(data: Buffer, offset: number): void {
    write(this.fd, data, offset, data.length - offset, null, (err, written) => {
      if (err) {
        if (err.code === 'EAGAIN') {
          setTimeout(() => this.#writeChunk(data, offset), 10).unref();
          return;
        }
        // stdout closed or broken (EPIPE, EBADF): this chunk is lost; later lines are tried again
      } else if (offset + written < data.length) {
        this.#writeChunk(data, offset + written);
        return;
      }
      this.#writing = false;
      if (this.#length >= this.options.minLength) this.#writeBuffered();
    });
  }
}
