import { AppError, isAppError } from '../shared/errors.js';

/** Seconds a client is asked to wait before retrying a call the database could not serve. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket errors: the server cannot be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * SQLSTATEs that mean "not now" rather than "wrong": class 08 (connection exception) and these.
 * 57014 is a cancelled statement: modelgate cancels none itself, so it is the statement timeout.
 */
const SQLSTATES = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, or a fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57P05', // idle_session_timeout
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
]);

/** node-postgres' own messages for a lost connection or one of its timeouts (they carry no code). */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout expired$/,
  /^timeout exceeded when trying to connect$/,
  /^Query read timeout$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

/**
 * Whether a driver error means the database is unreachable, timed out or lost the connection
 * (as opposed to a query the database refused: a constraint, a syntax error, a missing table).
 */
export function isConnectivityError(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isConnectivityError); // IPv4 and IPv6 both refused
  return typeof message === 'string' && DRIVER_MESSAGES.some((re) => re.test(message));
}

/** Codes and driver messages of a connection lost after it was open (a subset of the above). */
const LOST_CODES = new Set(['57P01', '57P02', 'ECONNRESET', 'EPIPE', '08003', '08006']);
const LOST_MESSAGES = [
  /^Connection terminated unexpectedly$/,
  /^Client has encountered a connection error and is not queryable$/,
];

/**
 * Whether a connectivity error means the connection itself was lost (terminated by the server, reset,
 * closed), as opposed to a refused connection or a timeout: a statement that failed so on a
 * connection just taken from the pool may have met a connection that died while idle.
 */
export function isLostConnection(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return LOST_CODES.has(code);
  return typeof message === 'string' && LOST_MESSAGES.some((re) => re.test(message));
}

/** The one error every "cannot reach the database" becomes (the driver's error as its cause, for logs). */
export function databaseUnavailable(cause: unknown): AppError {
  return new AppError(
    'DATABASE_UNAVAILABLE',
    'the database is unavailable (unreachable, timed out or connection lost); retry later',
    { headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) } },
    { cause },
  );
}

export function isDatabaseUnavailable(err: unknown): err is AppError {
  return isAppError(err) && err.code === 'DATABASE_UNAVAILABLE';
}

/** A short reason for logs and readiness, without addresses or credentials. */
export function connectivityReason(err: unknown): string {
  const inner = isDatabaseUnavailable(err) ? (err.cause ?? err) : err;
  const { code, message } = (inner ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return `connection failed (${code})`;
  if (code === '57014') return 'statement timeout';
  if (typeof code === 'string' && (SQLSTATES.has(code) || code.startsWith('08')))
    return `connection lost (SQLSTATE ${code})`;
  if (typeof message === 'string' && /timeout/i.test(message)) return 'timed out';
  if (inner instanceof AggregateError) return 'connection failed';
  return 'connection lost';
}
