// Contract checks for every answer a test server gives: native routes against the published
// OpenAPI 3.1 document (/openapi.json), V2 routes against the Open Inference Protocol's own spec
// (docs/specs/open-inference-protocol). A violation is recorded, and the test that started the server fails at its end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';

export const V2_SPEC_PATH = join(
  new URL('../../', import.meta.url).pathname,
  'docs/specs/open-inference-protocol/open_inference_rest.yaml',
);

type Doc = { paths: Record<string, Record<string, Operation>> };
type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };

/** One answer as the server sent it. */
export interface Exchange {
  method: string;
  /** Fastify's route pattern (`/v1/models/:name`), or undefined when no route matched. */
  route: string | undefined;
  path: string;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** `/v1/models/:name` → `/v1/models/{name}` (OpenAPI path templates). */
export const openApiPath = (route: string) => route.replace(/:([A-Za-z_]+)/g, '{$1}');

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]!.trim().toLowerCase();

/**
 * The V2 spec's YAML gives body schemas for server metadata, model metadata and inference; the
 * rest comes from its Markdown (inference_rest.md), written here as schemas. Routes without a
 * version map to the spec's versioned path ("versions/..." is optional in the protocol). Error
 * statuses the spec does not list still carry its error object (`{"error": string}`).
 */
const V2_TEXT_SCHEMAS = {
  live: { type: 'object', required: ['live'], properties: { live: { type: 'boolean' } } },
  // the Markdown names the field "live" for server ready too, an evident slip (ADR 0007)
  ready: { type: 'object', required: ['ready'], properties: { ready: { type: 'boolean' } } },
  modelReady: {
    type: 'object',
    required: ['name', 'ready'],
    properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
  },
};

export class ContractChecker {
  readonly violations: string[] = [];
  readonly #native = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  readonly #v2 = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  #doc: Doc | undefined;
  readonly #cache = new Map<string, ValidateFunction>();
  /** answers checked so far */
  checked = 0;

  /**
   * `document`: the published OpenAPI document, read at the first check (the app is ready by then).
   * `onFirstViolation`: called once, when the first answer breaks the contract.
   */
  constructor(
    private readonly document: () => unknown,
    private readonly onFirstViolation: () => void = () => undefined,
  ) {
    const spec = parseYaml(readFileSync(V2_SPEC_PATH, 'utf8')) as { components: object };
    this.#v2.addSchema({ components: spec.components, $id: 'v2' });
  }

  /** Checks one answer; records a violation (with the route and status) when it does not fit. */
  check(x: Exchange): void {
    if (x.method === 'HEAD' || x.status === 204) return;
    if (x.route?.startsWith('/docs') || x.route === '/openapi.json') return; // the documentation itself
    if (x.route?.startsWith('/console')) return; // the web console's page and files, not the API
    this.checked++;
    const isV2 = x.path === '/v2' || x.path.startsWith('/v2/');
    const found = isV2 ? this.#v2Validator(x) : this.#nativeValidator(x);
    const problem = this.#problem(x, found);
    if (problem === undefined) return;
    if (this.violations.length === 0) this.onFirstViolation();
    this.violations.push(`${x.method} ${x.route ?? x.path} → ${x.status}: ${problem}`);
  }

  #problem(x: Exchange, found: ValidateFunction | string | null): string | undefined {
    if (typeof found === 'string') return found;
    if (found === null) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(x.body);
    } catch {
      return `the body is not JSON: ${x.body.slice(0, 80)}`;
    }
    if (found(body)) return undefined;
    const errors = (found.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    return `${errors.slice(0, 3).join('; ')}: ${x.body.slice(0, 200)}`;
  }

  /** The schema of a native answer, or why there is none. Unmatched routes answer a Problem. */
  #nativeValidator(x: Exchange): ValidateFunction | string | null {
    if (!this.#doc) {
      this.#doc = this.document() as Doc;
      this.#native.addSchema({ ...this.#doc, $id: 'openapi' });
    }
    const type = mediaType(x.contentType);
    if (x.route === undefined) {
      if (type !== 'application/problem+json') return `an unmatched route answered ${type}`;
      return this.#compile(this.#native, 'problem', { $ref: 'openapi#/components/schemas/Problem' });
    }
    const path = openApiPath(x.route);
    const op = this.#doc.paths[path]?.[x.method.toLowerCase()];
    if (!op) return `not in the OpenAPI document`;
    const responses = op.responses ?? {};
    const key = [String(x.status), `${String(x.status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) return `status ${x.status} is not documented`;
    const content = responses[key]!.content ?? {};
    if (!type || !content[type])
      return `content type ${type} is not documented (${Object.keys(content).join(', ')})`;
    // text (Prometheus metrics): the documented media type is the whole contract
    if (type !== 'application/json' && type !== 'application/problem+json') return null;
    const pointer = ['paths', path, x.method.toLowerCase(), 'responses', key, 'content', type, 'schema']
      .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    return this.#compile(this.#native, pointer, { $ref: `openapi#/${pointer}` });
  }

  #v2Validator(x: Exchange): ValidateFunction | string {
    if (mediaType(x.contentType) !== 'application/json') return `V2 answered ${x.contentType}`;
    // the YAML's inference_error_response leaves `error` optional; the Markdown requires it
    const ref = (name: string) =>
      name.endsWith('error_response')
        ? { allOf: [{ $ref: `v2#/components/schemas/${name}` }, { required: ['error'] }] }
        : { $ref: `v2#/components/schemas/${name}` };
    const route = x.route?.replace(/^\/v2/, '') ?? '(unmatched)';
    const ok = x.status < 400 || (x.status === 503 && route.endsWith('/ready'));
    let schema: object;
    if (route === '/health/live') schema = ok ? V2_TEXT_SCHEMAS.live : ref('metadata_server_error_response');
    else if (route === '/health/ready')
      schema = ok ? V2_TEXT_SCHEMAS.ready : ref('metadata_server_error_response');
    else if (route === '' || route === '/')
      schema = ref(ok ? 'metadata_server_response' : 'metadata_server_error_response');
    else if (route.endsWith('/ready'))
      schema = ok ? V2_TEXT_SCHEMAS.modelReady : ref('metadata_model_error_response');
    else if (route.endsWith('/infer')) schema = ref(ok ? 'inference_response' : 'inference_error_response');
    else if (route.startsWith('/models/'))
      schema = ref(ok ? 'metadata_model_response' : 'metadata_model_error_response');
    else schema = ref('inference_error_response'); // no route: any error object will do
    return this.#compile(this.#v2, JSON.stringify(schema), schema);
  }

  #compile(ajv: Ajv | Ajv2020, key: string, schema: object): ValidateFunction {
    const hit = this.#cache.get(key);
    if (typeof hit === 'function') return hit;
    const fn: ValidateFunction = ajv.compile(schema);
    this.#cache.set(key, fn);
    return fn;
  }
}

/**
 * Adds the check to an app before it listens: every answer (with its route pattern and final
 * body, errors included) goes through `checker`.
 */
export function checkContracts(app: FastifyInstance, checker: ContractChecker): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      checker.check({
        method: req.method,
        route: req.routeOptions.url,
        path: req.url.split('?')[0]!,
        status: reply.statusCode,
        contentType: reply.getHeader('content-type') as string | undefined,
        body: payload.toString(),
      });
    }
    return payload;
  });
}
