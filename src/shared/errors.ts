import { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** One problem inside a request, located by a JSON Pointer (RFC 6901) into the request body. */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

export interface AppErrorExtras {
  /** Per-field problems, for VALIDATION_FAILED and MANIFEST_INVALID. */
  errors?: FieldProblem[];
  /** Response headers that belong to this error (Retry-After, WWW-Authenticate). */
  headers?: Record<string, string>;
}

/**
 * The one error type services throw. The HTTP layer turns it into application/problem+json with
 * the code's status; `detail` must be safe to show a client (no secrets, paths or stack traces).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly extras: AppErrorExtras;

  constructor(code: ErrorCode, detail: string, extras: AppErrorExtras = {}, options?: ErrorOptions) {
    super(`${code}: ${detail}`, options);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.extras = extras;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Escapes one JSON Pointer reference token (RFC 6901 §3). */
export function pointerToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointer(...tokens: Array<string | number>): string {
  return tokens.map((t) => '/' + pointerToken(t)).join('');
}
