import assert from 'node:assert/strict';
import { MatchersV3 } from '@pact-foundation/pact';
import type { ContractInteraction } from './contract-interaction.js';
import { STATES } from './provider-states.js';
import { AUTH, INSTANCE, MODEL, prediction, semver, sha256, V2_INPUT } from './shapes.js';

const { arrayContaining, eachLike, like } = MatchersV3;

const PROBABILITIES = { name: 'probabilities', datatype: 'FP32', shape: [1, 2], data: eachLike(0.98, 2) };
const LABEL = { name: 'label', datatype: like('INT64'), shape: [1], data: eachLike(0) };

/** Native and Open Inference Protocol (V2) inference. */
export const INFERENCE_INTERACTIONS: ContractInteraction[] = [
  {
    state: STATES.production,
    description: 'a prediction from the production version',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/predict`, (r) =>
          r.headers(AUTH).jsonBody({ instances: [INSTANCE] }),
        )
        .willRespondWith(200, (r) => r.jsonBody(prediction('1.0.0'))),
    exercise: async ({ keyed }) => {
      const answer = await keyed.predict(MODEL, [INSTANCE]);
      assert.equal(answer.version, '1.0.0');
      assert.equal(answer.predictions[0]?.label, 'malignant');
    },
  },
  {
    state: STATES.twoVersions,
    description: 'a prediction from version 1.1.0, pinned',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/versions/1.1.0/predict`, (r) =>
          r.headers(AUTH).jsonBody({ instances: [INSTANCE] }),
        )
        .willRespondWith(200, (r) => r.jsonBody(prediction('1.1.0'))),
    exercise: async ({ keyed }) => {
      const answer = await keyed.predict(MODEL, [INSTANCE], { version: '1.1.0' });
      assert.equal(answer.version, '1.1.0');
    },
  },
  {
    state: STATES.running,
    description: 'a V2 server metadata request',
    define: (i) =>
      i
        .withRequest('GET', '/v2')
        .willRespondWith(200, (r) =>
          r.jsonBody({ name: 'modelgate', version: semver('0.1.0'), extensions: like([]) }),
        ),
    exercise: async ({ anonymous }) => assert.equal((await anonymous.v2ServerMetadata()).name, 'modelgate'),
  },
  {
    state: STATES.production,
    description: 'a V2 model metadata request',
    define: (i) =>
      i
        .withRequest('GET', `/v2/models/${MODEL}`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) =>
          r.jsonBody({
            name: MODEL,
            versions: eachLike(semver('1.0.0')),
            platform: 'onnxruntime_onnx',
            inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 30] }],
            outputs: arrayContaining(
              { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
              { name: 'label', datatype: like('INT64'), shape: [-1] },
            ),
          }),
        ),
    exercise: async ({ keyed }) => {
      const meta = await keyed.v2ModelMetadata(MODEL);
      assert.deepEqual(meta.inputs[0]?.shape, [-1, 30]);
    },
  },
  {
    state: STATES.production,
    description: 'a V2 model readiness request',
    define: (i) =>
      i
        .withRequest('GET', `/v2/models/${MODEL}/ready`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody({ name: MODEL, version: '1.0.0', ready: true })),
    exercise: async ({ keyed }) => assert.equal((await keyed.v2ModelReady(MODEL)).ready, true),
  },
  {
    state: STATES.unserved,
    description: 'a V2 readiness request for a model without a production version',
    define: (i) =>
      i
        .withRequest('GET', '/v2/models/diabetes/ready', (r) => r.headers(AUTH))
        .willRespondWith(503, (r) => r.jsonBody({ name: 'diabetes', ready: false })),
    exercise: async ({ keyed }) => {
      // a 503 here is an answer, not an error: the client resolves with it
      const ready = await keyed.v2ModelReady('diabetes');
      assert.equal(ready.ready, false);
    },
  },
  {
    state: STATES.production,
    description: 'a V2 inference request',
    define: (i) =>
      i
        .withRequest('POST', `/v2/models/${MODEL}/infer`, (r) =>
          r.headers(AUTH).jsonBody({ inputs: [V2_INPUT] }),
        )
        .willRespondWith(200, (r) =>
          r.jsonBody({
            model_name: MODEL,
            model_version: '1.0.0',
            parameters: { artifact_sha256: sha256() },
            outputs: arrayContaining(PROBABILITIES, LABEL),
          }),
        ),
    exercise: async ({ keyed }) => {
      const answer = await keyed.v2Infer(MODEL, { inputs: [V2_INPUT] });
      const probabilities = answer.outputs.find((o) => o.name === 'probabilities');
      assert.deepEqual(probabilities?.shape, [1, 2]);
    },
  },
];
