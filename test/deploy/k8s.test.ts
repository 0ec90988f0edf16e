// deploy/k8s: every overlay rendered with `kubectl kustomize`, each object validated against the
// Kubernetes OpenAPI schemas (kubernetes-models) and the Prometheus Operator CRD schemas
// (@kubernetes-models/prometheus-operator), and what the manifests promise checked by value. The
// OpenAPI schemas do not forbid unknown fields, so the values that matter are asserted one by one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import type {
  IConfigMap,
  IContainer,
  IPersistentVolumeClaim,
  IPodSpec,
  IService,
} from 'kubernetes-models/v1';
import {
  PrometheusRule,
  ServiceMonitor,
  type IPrometheusRule,
  type IServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { renderPrometheusRule, PROMETHEUS_RULE_PATH } from '../../scripts/prometheus-rule.js';
import { kustomize, skipWithoutKubectl } from '../helpers/kubectl.js';
import { REPO } from '../helpers/server.js';

const K8S = join(REPO, 'deploy/k8s');
const skip = skipWithoutKubectl();
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** The schema-checked model of each kind the manifests use; anything else is a failure. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}
interface Kinds {
  ConfigMap: IConfigMap;
  Deployment: IDeployment;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  Job: IJob;
  NetworkPolicy: INetworkPolicy;
  PersistentVolumeClaim: IPersistentVolumeClaim;
  PodDisruptionBudget: IPodDisruptionBudget;
  PrometheusRule: IPrometheusRule;
  Service: IService;
  ServiceMonitor: IServiceMonitor;
}

function render(dir: string): Obj[] {
  return parseAllDocuments(kustomize(join(K8S, dir))).map((d) => d.toJS() as Obj);
}

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  assert.ok(Model, `no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate(); // throws with the schema errors
}

function one<K extends keyof Kinds>(objs: Obj[], kind: K, name?: string): Kinds[K] {
  const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.equal(found.length, 1, `one ${kind} ${name ?? ''}`);
  return found[0] as unknown as Kinds[K];
}

/** A non-empty label selector that these labels satisfy. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> = {}): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

const podOf = (w: IDeployment | IJob): IPodSpec => w.spec!.template.spec!;
const podLabels = (w: IDeployment | IJob): Record<string, string> => w.spec!.template.metadata!.labels!;

/** Pod-level and container-level hardening every workload must have. */
function assertHardened(pod: IPodSpec, what: string): void {
  assert.equal(pod.securityContext?.runAsNonRoot, true, `${what}: runAsNonRoot`);
  assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${what}: seccomp`);
  assert.equal(pod.automountServiceAccountToken, false, `${what}: no service account token`);
  for (const c of pod.containers) {
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${what}/${c.name}: read-only root`);
    assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${what}/${c.name}: no escalation`);
    assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${what}/${c.name}: capabilities`);
    assert.ok(
      c.resources?.requests?.memory && c.resources.limits?.memory,
      `${what}/${c.name}: memory request/limit`,
    );
    assert.equal(
      c.image,
      `ghcr.io/modelgate/modelgate:${VERSION}`,
      `${what}/${c.name}: image of this release`,
    );
    assertSecretFiles(pod, c, what);
  }
}

/** Each `*_FILE` setting names a file on a mounted Secret volume, holding that Secret key. */
function assertSecretFiles(pod: IPodSpec, c: IContainer, what: string): void {
  for (const e of (c.env ?? []).filter((x) => x.name.endsWith('_FILE'))) {
    const mount = (c.volumeMounts ?? []).find((m) => e.value?.startsWith(m.mountPath + '/'));
    assert.ok(mount, `${what}: ${e.name}=${e.value} is on no mounted volume`);
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    assert.ok(volume?.secret?.secretName, `${what}: ${e.name} is read from a Secret volume`);
    const key = e.value!.slice(mount.mountPath.length + 1);
    const items = volume.secret.items;
    if (items)
      assert.ok(
        items.some((i) => i.path === key),
        `${what}: ${key} is projected`,
      );
  }
}

describe('deploy/k8s manifests', { skip }, () => {
  for (const dir of ['overlays/embedded', 'overlays/cluster', 'prometheus-operator']) {
    it(`${dir}: every object is valid against its OpenAPI or CRD schema`, () => {
      const objs = render(dir);
      assert.ok(objs.length >= 2);
      for (const o of objs) validate(o);
      for (const o of objs) assert.equal(o.metadata.namespace, 'modelgate', `${o.kind} namespace`);
    });
  }

  it('the validator rejects a malformed object (so the check above means something)', () => {
    const objs = render('overlays/cluster');
    const d = objs.find((o) => o.kind === 'Deployment') as Obj & { spec: { replicas: unknown } };
    d.spec.replicas = 'three';
    assert.throws(() => validate(d), /replicas|integer/);
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler') as Obj & {
      spec: { scaleTargetRef?: unknown };
    };
    delete hpa.spec.scaleTargetRef;
    assert.throws(() => validate(hpa), /scaleTargetRef/);
  });

  it('cluster: 3 replicas on PostgreSQL and Redis, spread, with a PDB, an HPA and a migration Job', () => {
    const objs = render('overlays/cluster');
    const d = one(objs, 'Deployment', 'modelgate');
    const labels = podLabels(d);
    assert.equal(d.spec!.replicas, 3);
    assert.deepEqual(d.spec!.strategy?.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    assert.equal(podOf(d).topologySpreadConstraints?.[0]?.topologyKey, 'kubernetes.io/hostname');
    const c = podOf(d).containers[0]!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.MODELGATE_DATABASE_URL_FILE, '/etc/modelgate/secrets/database-url');
    assert.equal(env.MODELGATE_ADMIN_KEY_FILE, '/etc/modelgate/secrets/admin-key');
    const config = one(objs, 'ConfigMap', 'modelgate-config');
    assert.match(config.data!.MODELGATE_REDIS_URL!, /^redis:\/\//);
    assert.equal(c.envFrom?.[0]?.configMapRef?.name, 'modelgate-config');

    const pdb = one(objs, 'PodDisruptionBudget');
    assert.ok(selects(pdb.spec!.selector?.matchLabels, labels), 'PDB selects the pods');
    assert.equal(pdb.spec!.maxUnavailable, 1);
    const hpa = one(objs, 'HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'modelgate',
    });
    assert.equal(hpa.spec.minReplicas, 3);

    const job = one(objs, 'Job', 'modelgate-migrate');
    const jobPod = podOf(job);
    assert.deepEqual(jobPod.containers[0]!.args, ['migrate']);
    assert.equal(jobPod.restartPolicy, 'Never');
    assertHardened(jobPod, 'migrate Job');
    const service = one(objs, 'Service');
    assert.ok(selects(service.spec!.selector, labels), 'the Service selects the server pods');
    assert.ok(!selects(service.spec!.selector, podLabels(job)), 'but not the Job pod');
  });

  it('embedded: one replica, recreated (one SQLite writer), data on a PersistentVolumeClaim', () => {
    const objs = render('overlays/embedded');
    const d = one(objs, 'Deployment', 'modelgate');
    assert.equal(d.spec!.replicas, 1);
    assert.equal(d.spec!.strategy?.type, 'Recreate');
    const pvc = one(objs, 'PersistentVolumeClaim');
    const data = podOf(d).volumes!.find((v) => v.name === 'data');
    assert.deepEqual(data, { name: 'data', persistentVolumeClaim: { claimName: pvc.metadata!.name } });
    assert.deepEqual(
      objs.filter((o) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job'].includes(o.kind)),
      [],
      'nothing that would start a second writer',
    );
  });

  for (const overlay of ['overlays/embedded', 'overlays/cluster']) {
    it(`${overlay}: hardened pods, probes on /health and /ready, preStop within the grace period`, () => {
      const objs = render(overlay);
      const d = one(objs, 'Deployment', 'modelgate');
      const pod = podOf(d);
      assertHardened(pod, overlay);
      const c = pod.containers[0]!;
      assert.equal(c.startupProbe?.httpGet?.path, '/health');
      assert.equal(c.livenessProbe?.httpGet?.path, '/health');
      assert.equal(c.readinessProbe?.httpGet?.path, '/ready');
      const mountPaths = (c.volumeMounts ?? []).map((m) => m.mountPath).sort();
      assert.deepEqual(
        mountPaths,
        ['/data', '/etc/modelgate/secrets', '/tmp'],
        'writable: /data and /tmp only',
      );
      const preStop = c.lifecycle?.preStop?.exec?.command ?? [];
      assert.equal(preStop[0], 'sleep');
      const grace = pod.terminationGracePeriodSeconds;
      const config = one(objs, 'ConfigMap', 'modelgate-config');
      const shutdown = Number(config.data!.MODELGATE_SHUTDOWN_TIMEOUT_MS) / 1000;
      const drain = Number(config.data!.MODELGATE_SHUTDOWN_DRAIN_MS) / 1000;
      const probe = c.readinessProbe;
      // issue 14, item 6: on SIGTERM /ready fails at once; the drain lasts until the readiness
      // probe has failed failureThreshold times, so anything that follows the probe takes it out
      assert.equal(
        drain,
        probe.periodSeconds! * probe.failureThreshold!,
        'drain = readiness period × failures',
      );
      assert.equal(
        grace,
        Number(preStop[1]) + drain + shutdown + 5,
        'grace = preStop + drain + shutdown timeout + 5 s',
      );

      const np = one(objs, 'NetworkPolicy');
      assert.ok(selects(np.spec?.podSelector?.matchLabels, podLabels(d)), 'the policy covers the pods');
      assert.deepEqual(np.spec!.policyTypes, ['Ingress', 'Egress']);
    });
  }

  it('prometheus-operator: the ServiceMonitor scrapes the Service metrics port', () => {
    const service = one(render('overlays/cluster'), 'Service');
    const sm = one(render('prometheus-operator'), 'ServiceMonitor');
    assert.ok(selects(sm.spec.selector.matchLabels, service.metadata!.labels));
    const wanted = sm.spec.endpoints[0]!.port;
    assert.ok(
      service.spec!.ports!.some((p) => p.name === wanted),
      `the Service has a port named ${wanted}`,
    );
  });
});

describe('the PrometheusRule', () => {
  it('is generated from deploy/prometheus/alerts.yml (npm run deploy:rules)', async () => {
    const alerts = readFileSync(join(REPO, 'deploy/prometheus/alerts.yml'), 'utf8');
    const text = readFileSync(join(REPO, PROMETHEUS_RULE_PATH), 'utf8');
    assert.equal(text, await renderPrometheusRule(alerts));
    const rule = parseAllDocuments(text)[0]!.toJS() as IPrometheusRule;
    const names = (rule.spec.groups ?? []).flatMap((g) => (g.rules ?? []).map((r) => r.alert));
    assert.equal(names.length, [...alerts.matchAll(/^\s+- alert: /gm)].length);
    assert.ok(names.includes('ModelgateInstanceDown'));
  });
});
