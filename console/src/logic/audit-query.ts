/** The audit page's filter form, as typed. */
export interface AuditFilter {
  model: string;
  principal: string;
  /** `YYYY-MM-DDTHH:MM` from a datetime-local field, read as UTC */
  since: string;
  until: string;
  limit: number;
}

export const EMPTY_FILTER: AuditFilter = { model: '', principal: '', since: '', until: '', limit: 25 };

/** The query string of GET /v1/audit for a filter and a page cursor (empty fields are left out). */
export function auditQuery(f: AuditFilter, cursor: string | undefined): string {
  const q = new URLSearchParams();
  if (f.model.trim()) q.set('model', f.model.trim());
  if (f.principal.trim()) q.set('principal', f.principal.trim());
  if (f.since) q.set('since', utc(f.since));
  if (f.until) q.set('until', utc(f.until));
  q.set('limit', String(f.limit));
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

/** A datetime-local value taken as UTC, the audit log's zone: "2026-11-23T10:00" → "2026-11-23T10:00:00Z". */
const utc = (local: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(local) ? `${local}:00Z` : local);
