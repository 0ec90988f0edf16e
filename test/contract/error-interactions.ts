import assert from 'node:assert/strict';
import { MatchersV3 } from '@pact-foundation/pact';
import { apiError } from '../helpers/server.js';
import type { ContractInteraction } from './contract-interaction.js';
import { STATES } from './provider-states.js';
import { AUTH, INSTANCE, MODEL, problem, PROBLEM_HEADERS, ROW, V2_INPUT } from './shapes.js';

const { eachLike, like, regex } = MatchersV3;

/** Error answers: the client turns each into a ModelgateApiError with the server's code. */
export const ERROR_INTERACTIONS: ContractInteraction[] = [
  {
    state: STATES.noModel,
    description: 'a request for an unknown model',
    define: (i) =>
      i
        .withRequest('GET', '/v1/models/unknown-model', (r) => r.headers(AUTH))
        .willRespondWith(404, (r) => r.headers(PROBLEM_HEADERS).jsonBody(problem(404, 'MODEL_NOT_FOUND'))),
    exercise: async ({ keyed }) => {
      const err = await apiError(keyed.getModel('unknown-model'));
      assert.equal(err.status, 404);
      assert.equal(err.code, 'MODEL_NOT_FOUND');
    },
  },
  {
    state: STATES.production,
    description: 'a prediction with an out-of-range value',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/predict`, (r) =>
          r.headers(AUTH).jsonBody({ instances: [{ ...INSTANCE, mean_radius: 75.2 }] }),
        )
        .willRespondWith(422, (r) =>
          r.headers(PROBLEM_HEADERS).jsonBody(
            problem(
              422,
              'VALIDATION_FAILED',
              eachLike({
                pointer: regex('^/instances/0/[a-z_]+$', '/instances/0/mean_radius'),
                detail: like('must be <= 60, got 75.2'),
              }),
            ),
          ),
        ),
    exercise: async ({ keyed }) => {
      const err = await apiError(keyed.predict(MODEL, [{ ...INSTANCE, mean_radius: 75.2 }]));
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.equal(err.errors[0]?.pointer, '/instances/0/mean_radius');
    },
  },
  {
    state: STATES.production,
    description: 'a V2 inference request with a wrong shape',
    define: (i) =>
      i
        .withRequest('POST', `/v2/models/${MODEL}/infer`, (r) =>
          r.headers(AUTH).jsonBody({ inputs: [{ ...V2_INPUT, shape: [1, 29], data: ROW.slice(1) }] }),
        )
        .willRespondWith(400, (r) =>
          r
            .headers({ 'X-Modelgate-Error-Code': 'V2_BAD_REQUEST' })
            .jsonBody({ error: like("input 'input' has shape [1,29]; the model expects [-1,30]") }),
        ),
    exercise: async ({ keyed }) => {
      const err = await apiError(
        keyed.v2Infer(MODEL, { inputs: [{ ...V2_INPUT, shape: [1, 29], data: ROW.slice(1) }] }),
      );
      // the V2 body has no code: it comes in a header, as for every V2 error
      assert.equal(err.code, 'V2_BAD_REQUEST');
      assert.match(err.detail, /shape/);
    },
  },
  {
    state: STATES.running,
    description: 'a request without an API key',
    define: (i) =>
      i.withRequest('GET', '/v1/models').willRespondWith(401, (r) =>
        r
          .headers({
            ...PROBLEM_HEADERS,
            'WWW-Authenticate': regex('^Bearer .+$', 'Bearer realm="modelgate"'),
          })
          .jsonBody(problem(401, 'UNAUTHENTICATED')),
      ),
    exercise: async ({ anonymous }) => {
      const err = await apiError(anonymous.listModels());
      assert.equal(err.status, 401);
      assert.equal(err.code, 'UNAUTHENTICATED');
    },
  },
];
