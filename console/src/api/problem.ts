/** An API refusal as RFC 9457 problem details (or a connection failure, status 0). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: Array<{ pointer: string; detail: string }> = [],
    readonly requestId?: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ApiProblem';
  }

  /** From an answer's body: problem+json, the V2 `{"error"}` body, or anything else. */
  static fromBody(status: number, body: unknown): ApiProblem {
    const p = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const errors = Array.isArray(p.errors)
      ? p.errors.filter(
          (e): e is { pointer: string; detail: string } =>
            typeof e === 'object' && e !== null && typeof (e as { detail?: unknown }).detail === 'string',
        )
      : [];
    return new ApiProblem(
      status,
      str(p.code) ?? `HTTP_${status}`,
      str(p.title) ?? 'The request failed',
      str(p.detail) ?? str(p.error) ?? `the server answered ${status}`,
      errors,
      str(p.request_id),
    );
  }
}

export const asProblem = (err: unknown): ApiProblem =>
  err instanceof ApiProblem
    ? err
    : new ApiProblem(
        0,
        'CLIENT_ERROR',
        'The console failed',
        err instanceof Error ? err.message : String(err),
      );
