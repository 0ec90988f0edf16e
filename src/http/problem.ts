import type { FastifyError, FastifyRequest } from 'fastify';
import type { AppServices } from './app-services.js';
import { ERROR_CODES, type ErrorCode } from '../shared/error-codes.js';
import { AppError, pointer, type FieldProblem } from '../shared/errors.js';
import { matchedRoute } from './matched-route.js';
import type { Problem } from './schemas.js';

export interface ProblemReply {
  status: number;
  body: Problem;
  headers: Record<string, string>;
  /** The error was not one we raised on purpose: log it with its stack. */
  unexpected: boolean;
}

export function problemType(code: ErrorCode): string {
  return `urn:modelgate:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** Fastify's own error codes that mean a bad request, not a broken server. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FIELDS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_REQUEST',
  FST_PROTO_VIOLATION: 'MALFORMED_REQUEST',
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'MALFORMED_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Any error → problem+json. Our AppErrors keep their code and detail; Fastify's request errors
 * (bad JSON, too large, schema) become their 4xx codes; anything else is a 500 whose body says
 * only that something failed and which request it was.
 */
export function toProblem(err: unknown, req: FastifyRequest): ProblemReply {
  if (err instanceof AppError) {
    return build(err.code, err.detail, req, err.extras.errors, err.extras.headers, false);
  }
  const fe = err as Partial<FastifyError> & { validation?: ValidationItem[]; validationContext?: string };
  if (fe.validation) {
    const errors = fe.validation.map((v) => validationProblem(v, fe.validationContext ?? 'body'));
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return build(
      'VALIDATION_FAILED',
      `${errors[0]!.pointer || '/'}: ${errors[0]!.detail}${more}`,
      req,
      errors,
      {},
      false,
    );
  }
  const mapped =
    (fe.code && FASTIFY_CODES[fe.code]) ??
    (err instanceof SyntaxError && fe.statusCode === 400 ? 'MALFORMED_REQUEST' : undefined);
  if (mapped) return build(mapped, safeMessage(fe, mapped), req, undefined, {}, false);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = BY_STATUS[fe.statusCode] ?? 'MALFORMED_REQUEST';
    return build(code, safeMessage(fe, code), req, undefined, {}, false);
  }
  return build(
    'INTERNAL',
    `an internal error occurred; quote request id ${req.id} when reporting it`,
    req,
    undefined,
    {},
    true,
  );
}

function build(
  code: ErrorCode,
  detail: string,
  req: FastifyRequest,
  errors: FieldProblem[] | undefined,
  headers: Record<string, string> = {},
  unexpected: boolean,
): ProblemReply {
  const { status, title } = ERROR_CODES[code];
  const body: Problem = { type: problemType(code), title, status, detail, code, request_id: String(req.id) };
  if (errors && errors.length > 0) body.errors = errors;
  return { status, body, headers, unexpected };
}

function safeMessage(fe: Partial<FastifyError>, code: ErrorCode): string {
  if (code === 'MALFORMED_REQUEST' && fe instanceof SyntaxError) return 'the body is not valid JSON';
  if (code === 'PAYLOAD_TOO_LARGE')
    return 'the request body or an uploaded file is larger than the configured limit';
  return (fe.message ?? ERROR_CODES[code].title).slice(0, 300);
}

interface ValidationItem {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** Ajv error from a route schema → a problem with a pointer into the request part. */
function validationProblem(v: ValidationItem, context: string): FieldProblem {
  let at = v.instancePath;
  let detail = v.message ?? 'is invalid';
  if (v.keyword === 'required') {
    at += pointer(String(v.params.missingProperty));
    detail = 'is required';
  } else if (v.keyword === 'additionalProperties') {
    at += pointer(String(v.params.additionalProperty));
    detail = 'is not an accepted field';
  } else if (v.keyword === 'maxItems' || v.keyword === 'minItems') {
    detail = `must have ${v.keyword === 'maxItems' ? 'at most' : 'at least'} ${String(v.params.limit)} items`;
  }
  if (context !== 'body')
    detail =
      `${context === 'querystring' ? 'query parameter' : 'path parameter'} ${at.slice(1) || ''} ${detail}`.replace(
        /\s+/g,
        ' ',
      );
  return { pointer: at, detail };
}

/**
 * Any error → its problem, counted in the metrics, and logged with its stack when it was not
 * raised on purpose. Shared by the native and the V2 error handlers, which only format it.
 */
export function recordProblem(err: unknown, req: FastifyRequest, services: AppServices): ProblemReply {
  const problem = toProblem(err, req);
  services.observability.observeProblem(problem.body.code, matchedRoute(req).config.scope);
  if (problem.unexpected) {
    req.log.error(
      { err, req_id: req.id, ...(req.traceId ? { trace_id: req.traceId } : {}) },
      'unexpected error',
    );
  }
  return problem;
}
