import { readFileSync } from 'node:fs';

/** The demo model's files (`modelgate serve --demo` registers and serves them). */
const DEMO_MODEL = new URL('../../models/demo/breast-cancer/', import.meta.url);
const MODEL = 'breast-cancer';
/** Rows of the demo's labelled test data in the evaluation example: 10 of each class. */
const EVALUATION_ROWS = 20;

/** What /docs fills in for one route: its body and its path and query parameters. */
export interface RouteExample {
  body?: unknown;
  params?: Record<string, string>;
  query?: Record<string, string>;
}

/** Path parameters by name, unless a route names its own. */
const PARAMS: Record<string, string> = {
  name: MODEL,
  version: '1.0.0',
  alias: 'staging',
  id: 'ro_0123456789abcdef',
};

/**
 * Request examples for the OpenAPI document, by `METHOD url` (Fastify's pattern), all about the
 * demo model, so that "Try it out" in /docs works against a demo server as the examples stand
 * (a test sends every one of them through the real API, in the document's order). Read once,
 * when the document is built; without the demo files (a trimmed image) the document simply has
 * no examples.
 */
export function routeExamples(): Map<string, RouteExample> {
  let predict: unknown, infer: unknown, csv: string;
  try {
    predict = JSON.parse(readFileSync(new URL('example-request.json', DEMO_MODEL), 'utf8'));
    infer = JSON.parse(readFileSync(new URL('example-v2-request.json', DEMO_MODEL), 'utf8'));
    const lines = readFileSync(new URL('test.csv', DEMO_MODEL), 'utf8').split('\n');
    csv = lines.slice(0, EVALUATION_ROWS + 1).join('\n') + '\n';
  } catch {
    return new Map();
  }
  return new Map<string, RouteExample>([
    // in the document's order, each leaves the demo where the next one works: 1.1.0 deprecated,
    // archived (no alias points at it yet) and restored; a gc dry run; then 1.1.0 promoted,
    // rolled back to 1.0.0, so that a rollout to 1.1.0 can start
    ...(['deprecate', 'archive', 'restore'] as const).map((t): [string, RouteExample] => [
      `POST /v1/models/:name/versions/:version/${t}`,
      { params: { version: '1.1.0' }, body: { reason: `${t} example from /docs` } },
    ]),
    ['POST /v1/admin/gc', { body: { older_than_seconds: 2_592_000, apply: false } }],
    ['POST /v1/models/:name/promote', { body: { version: '1.1.0' } }],
    ['POST /v1/models/:name/rollback', { body: { to: '1.0.0' } }],
    ['PUT /v1/models/:name/aliases/:alias', { body: { version: '1.1.0' } }],
    ['POST /v1/models/:name/predict', { body: predict }],
    ['POST /v1/models/:name/versions/:version/predict', { body: predict }],
    ['POST /v1/keys', { body: { name: 'dashboard', scopes: ['read'] } }],
    ['DELETE /v1/keys/:id', { params: { id: 'Abc123Def456' } }],
    ['POST /v1/models/:name/rollouts', { body: { candidate: '1.1.0', strategy: 'canary' } }],
    [
      'POST /v1/models/:name/feedback',
      {
        // a prediction_id from a predict answer; an unknown one is listed back as unknown
        body: { feedback: [{ prediction_id: '5b0e4f8e-3c55-4f3b-9a51-2f1f0b6a7c10', label: 'malignant' }] },
      },
    ],
    [
      'POST /v1/models/:name/versions/:version/evaluations',
      { body: csv, query: { label: 'target', data_name: 'breast-cancer-test-sample.csv' } },
    ],
    ['POST /v2/models/:name/infer', { body: infer }],
    ['POST /v2/models/:name/versions/:version/infer', { body: infer }],
  ]);
}

/** The example of a path parameter on a route. */
export function paramExample(route: RouteExample | undefined, name: string): string | undefined {
  return route?.params?.[name] ?? PARAMS[name];
}
