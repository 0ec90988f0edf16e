import { newIdempotencyKey } from '../logic/idempotency-key.js';
import { ApiProblem } from './problem.js';
import type { Whoami } from './types.js';

/**
 * The public API, called with the signed-in credential in the Authorization header, never in a
 * URL or a cookie (`credentials: 'omit'`). Every state change sends a fresh Idempotency-Key, so a
 * retried click cannot act twice, and is audited like the same call from the CLI.
 */
export class Api {
  constructor(
    private readonly credential: string,
    /** called when the API says the credential is no good (revoked, expired) */
    private readonly onUnauthenticated: (problem: ApiProblem) => void = () => undefined,
  ) {}

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  text(path: string): Promise<string> {
    return this.#call<string>('GET', path, undefined, true);
  }

  /** A state change (admin scope): POST, PUT or DELETE with an Idempotency-Key. */
  act<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return this.#call<T>(method, path, body);
  }

  async #call<T>(method: string, path: string, body?: unknown, text = false): Promise<T> {
    const headers: Record<string, string> = {
      accept: text ? 'text/markdown, application/problem+json' : 'application/json',
      authorization: `Bearer ${this.credential}`,
    };
    if (method !== 'GET') {
      headers['idempotency-key'] = newIdempotencyKey((b) => crypto.getRandomValues(b));
      if (body !== undefined) headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        credentials: 'omit',
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new ApiProblem(
        0,
        'CONNECTION_FAILED',
        'The server could not be reached',
        err instanceof Error ? err.message : String(err),
      );
    }
    const raw = await res.text();
    if (res.ok) return (text ? raw : raw.length > 0 ? JSON.parse(raw) : undefined) as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = { detail: raw.slice(0, 300) };
    }
    const problem = ApiProblem.fromBody(res.status, parsed);
    if (res.status === 401) this.onUnauthenticated(problem);
    throw problem;
  }
}

/** Checks a credential before keeping it: who it belongs to and what it may do. */
export async function whoami(credential: string): Promise<Whoami> {
  return new Api(credential).get('/v1/whoami');
}

export const enc = encodeURIComponent;
