import { pino, type Logger, type DestinationStream } from 'pino';
import { oncePerMs } from './clock.js';
import { BufferedFd } from './log-destination.js';

export type { Logger };

/**
 * Paths pino censors wherever they appear in a log line: the request headers that carry
 * credentials and the config's secrets. modelgate's own log lines never carry a secret field;
 * these paths are the safety net for objects logged whole (a request, headers, the config).
 * Explicit paths only: wildcard paths make pino walk every field of every line, which cost about
 * 6% of the predict path's CPU in the benchmark profile.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  'config.adminKey',
  'config.databaseUrl',
  'config.jwtPublicKey',
  'config.rolloutWebhookSecret',
];

export interface LoggerOptions {
  level: string;
  /** Where lines go; by default stdout, buffered (see bufferedStdout). */
  destination?: DestinationStream;
  /** stdout only: the longest a line waits in the buffer before it is written. */
  flushIntervalMs?: number;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'modelgate' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: isoTimeOncePerMs(),
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? bufferedStdout(options.flushIntervalMs ?? 200),
  );
}

/**
 * pino's `isoTime`, formatted once per clock millisecond: under load many lines share one, and a
 * `Date` and `toISOString` per line were 0.6% of a prediction's CPU (bench/profile-steps.ts). The
 * same text as `pino.stdTimeFunctions.isoTime`.
 */
export function isoTimeOncePerMs(now: () => number = Date.now): () => string {
  return oncePerMs(now, (ms) => `,"time":"${new Date(ms).toISOString()}"`);
}

/**
 * Asynchronous, buffered stdout: a request never waits on a write(2), and under load lines go out
 * 32 kB at a time (4 kB chunks cost 53 µs of main-thread time per request under load, 32 kB 26 µs:
 * each write hands a chunk to a libuv thread, bench/profile-steps.ts), joined once per write
 * (BufferedFd; pino's own destination re-measured its growing chunk on every line). A quiet server
 * fills none, so a timer writes what is buffered at least every `intervalMs`: a line reaches stdout
 * within that, under any load (measured: without it a request's line was still unwritten 5 s
 * later). What is buffered when the process exits, also after an uncaught exception, is written
 * synchronously; SIGTERM and SIGINT end through exit() in serve. Past 16 M characters buffered (stdout
 * stalled) lines are dropped rather than memory grown.
 */
function bufferedStdout(intervalMs: number): DestinationStream {
  return new BufferedFd(1, { minLength: 32_768, intervalMs, maxLength: 16 * 1024 * 1024 });
}

/** Removes user:password from a connection URL before it is shown anywhere. */
export function redactUrlCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
