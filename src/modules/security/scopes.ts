/** What a credential may do. `admin` implies the others. */
export const SCOPES = ['predict', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
/** What a route asks of its caller: a scope, or `any` (any valid credential, whatever its scopes). */
export type RouteScope = Scope | 'any';

export interface Principal {
  /** Stable id written to logs and the audit log, e.g. `key:Ab12Cd34Ef56`. Never a secret. */
  id: string;
  name: string;
  scopes: readonly Scope[];
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes('admin') || p.scopes.includes(scope);
}
