import assert from 'node:assert/strict';
import { MatchersV3 } from '@pact-foundation/pact';
import type { ContractInteraction } from './contract-interaction.js';
import { STATES } from './provider-states.js';
import {
  aliases,
  AUTH,
  iso,
  MODEL,
  modelSummary,
  semver,
  sha256,
  versionDetail,
  versionSummary,
} from './shapes.js';

const { arrayContaining, boolean, eachLike, integer, like, number, regex } = MatchersV3;

/** Liveness, readiness, the registry and its aliases, the audit log. */
export const MODEL_INTERACTIONS: ContractInteraction[] = [
  {
    state: STATES.running,
    description: 'a liveness check',
    define: (i) =>
      i
        .withRequest('GET', '/health')
        .willRespondWith(200, (r) => r.jsonBody({ status: 'ok', uptime_seconds: number(12) })),
    exercise: async ({ anonymous }) => assert.equal((await anonymous.health()).status, 'ok'),
  },
  {
    state: STATES.production,
    description: 'a readiness check',
    define: (i) =>
      i.withRequest('GET', '/ready').willRespondWith(200, (r) =>
        r.jsonBody({
          ready: true,
          models: eachLike({ name: MODEL, version: semver('1.0.0'), state: like('ready') }),
        }),
      ),
    exercise: async ({ anonymous }) => {
      const ready = await anonymous.ready();
      assert.equal(ready.ready, true);
      assert.equal(ready.models[0]?.name, MODEL);
    },
  },
  {
    state: STATES.production,
    description: 'a request for the list of models',
    define: (i) =>
      i
        .withRequest('GET', '/v1/models', (r) => r.headers(AUTH))
        // other models may be registered beside it (diabetes, without aliases)
        .willRespondWith(200, (r) => r.jsonBody({ models: arrayContaining(modelSummary) })),
    exercise: async ({ keyed }) => {
      const models = await keyed.listModels();
      assert.equal(models[0]?.name, MODEL);
      assert.equal(models[0]?.aliases.production, '1.0.0');
    },
  },
  {
    state: STATES.production,
    description: 'a request for one model',
    define: (i) =>
      i
        .withRequest('GET', `/v1/models/${MODEL}`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody({ ...modelSummary, versions: eachLike(versionSummary) })),
    exercise: async ({ keyed }) => {
      const model = await keyed.getModel(MODEL);
      assert.equal(model.versions[0]?.artifact_sha256.length, 64);
    },
  },
  {
    state: STATES.production,
    description: 'a request for version 1.0.0',
    define: (i) =>
      i
        .withRequest('GET', `/v1/models/${MODEL}/versions/1.0.0`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody(versionDetail('1.0.0'))),
    exercise: async ({ keyed }) => {
      const v = await keyed.getVersion(MODEL, '1.0.0');
      assert.equal(v.version, '1.0.0');
      assert.equal(v.signature.features[0]?.name, 'mean_radius');
    },
  },
  {
    state: STATES.production,
    description: 'a request for the versions of breast-cancer',
    define: (i) =>
      i
        .withRequest('GET', `/v1/models/${MODEL}/versions`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) => r.jsonBody({ versions: arrayContaining(versionDetail('1.0.0')) })),
    exercise: async ({ keyed }) => {
      const versions = await keyed.listVersions(MODEL);
      assert.deepEqual(versions[0]?.aliases, ['production']);
    },
  },
  {
    state: STATES.twoVersions,
    description: 'a promotion of 1.1.0',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/promote`, (r) =>
          r.headers(AUTH).jsonBody({ version: '1.1.0' }),
        )
        .willRespondWith(200, (r) =>
          r.jsonBody({ model: MODEL, aliases: like(aliases('1.1.0', '1.0.0')), changed: boolean(true) }),
        ),
    exercise: async ({ keyed }) => {
      const moved = await keyed.promote(MODEL, '1.1.0');
      assert.deepEqual(moved.aliases, { production: '1.1.0', previous: '1.0.0' });
    },
  },
  {
    state: STATES.previous,
    description: 'a rollback to the previous version',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/rollback`, (r) => r.headers(AUTH).jsonBody({}))
        .willRespondWith(200, (r) =>
          r.jsonBody({ model: MODEL, aliases: like(aliases('1.0.0', '1.1.0')), changed: boolean(true) }),
        ),
    exercise: async ({ keyed }) => {
      const moved = await keyed.rollback(MODEL);
      assert.equal(moved.aliases.production, '1.0.0');
    },
  },
  {
    state: STATES.twoVersions,
    description: 'a request to stage 1.1.0',
    define: (i) =>
      i
        .withRequest('PUT', `/v1/models/${MODEL}/aliases/staging`, (r) =>
          r.headers(AUTH).jsonBody({ version: '1.1.0' }),
        )
        .willRespondWith(200, (r) =>
          r.jsonBody({ model: MODEL, aliases: like({ production: semver('1.0.0'), staging: '1.1.0' }) }),
        ),
    exercise: async ({ keyed }) => {
      const staged = await keyed.setAlias(MODEL, 'staging', '1.1.0');
      assert.equal(staged.aliases.staging, '1.1.0');
    },
  },
  {
    state: STATES.production,
    description: 'a verification of the stored files of 1.0.0',
    define: (i) =>
      i
        .withRequest('POST', `/v1/models/${MODEL}/versions/1.0.0/verify`, (r) => r.headers(AUTH))
        .willRespondWith(200, (r) =>
          r.jsonBody({
            model: MODEL,
            version: '1.0.0',
            artifact_sha256: sha256(),
            ok: true,
            files: eachLike({ path: 'model.onnx', expected: sha256(), actual: sha256(), ok: true }),
          }),
        ),
    exercise: async ({ keyed }) => assert.equal((await keyed.verify(MODEL, '1.0.0')).ok, true),
  },
  {
    state: STATES.staged,
    description: 'a request for the newest audit event of breast-cancer since a date',
    define: (i) =>
      i
        .withRequest('GET', '/v1/audit', (r) =>
          r.headers(AUTH).query({ model: MODEL, since: '2020-01-01T00:00:00.000Z', limit: '1' }),
        )
        .willRespondWith(200, (r) =>
          r.jsonBody({
            events: eachLike({
              id: integer(7),
              at: iso(),
              principal: like('key:contract0001'),
              action: 'model.alias.set',
              model: MODEL,
              version: '1.1.0',
              before: like({ production: '1.0.0' }),
              after: like({ production: '1.0.0', staging: '1.1.0' }),
            }),
            // one event per page and more behind it: the cursor of the next page
            next_cursor: regex('^[0-9]+$', '7'),
          }),
        ),
    exercise: async ({ keyed }) => {
      const page = await keyed.listAudit({ model: MODEL, since: '2020-01-01T00:00:00.000Z', limit: 1 });
      assert.equal(page.events[0]?.action, 'model.alias.set');
      assert.equal(page.next_cursor, '7');
    },
  },
];
