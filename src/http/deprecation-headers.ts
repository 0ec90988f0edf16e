import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LifecycleService } from '../modules/registry/lifecycle-service.js';

/**
 * Marks an answer from a deprecated version: `Deprecation: @<unix seconds>` (RFC 9745, the time it
 * was deprecated), a `Link` with rel="deprecation" to the version's resource (its JSON shows the
 * reason), and `deprecated: true` in the request's log line. Reads memory only.
 */
export function markDeprecated(
  lifecycle: LifecycleService,
  req: FastifyRequest,
  reply: FastifyReply,
  model: string,
  version: string,
): void {
  const d = lifecycle.deprecation(model, version);
  if (!d) return;
  const seconds = Math.floor(Date.parse(d.since) / 1000);
  void reply.header('deprecation', `@${seconds}`);
  void reply.header(
    'link',
    `</v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}>; rel="deprecation"; type="application/json"`,
  );
  req.logFields = { ...req.logFields, deprecated: true };
}
