import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../shared/errors.js';
import type { AppServices } from '../app-services.js';
import { AuditPageSchema, AuditQuerySchema, responses } from '../schemas.js';

/** The audit log, newest first, for admins. Pages with `cursor` = the previous page's `next_cursor`. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.get(
    '/v1/audit',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Read the audit log (filter by model, principal, time)',
        tags: ['audit'],
        querystring: AuditQuerySchema,
        response: responses({ 200: AuditPageSchema }),
      },
    },
    async (req) => {
      const q = req.query;
      const since = q.since === undefined ? undefined : iso(q.since, 'since');
      const until = q.until === undefined ? undefined : iso(q.until, 'until');
      const events = await services.audit.list({
        limit: q.limit + 1,
        ...(q.model !== undefined ? { model: q.model } : {}),
        ...(q.principal !== undefined ? { principal: q.principal } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(q.cursor !== undefined ? { before: Number(q.cursor) } : {}),
      });
      const page = events.slice(0, q.limit);
      return {
        events: page,
        next_cursor: events.length > q.limit ? String(page[page.length - 1]!.id) : null,
      };
    },
  );
};

/** Stored times are UTC ISO strings; compare like with like. */
function iso(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new AppError('VALIDATION_FAILED', `${name}: not a date-time`, {
      errors: [{ pointer: `/${name}`, detail: 'must be an ISO 8601 date-time' }],
    });
  }
  return new Date(ms).toISOString();
}
