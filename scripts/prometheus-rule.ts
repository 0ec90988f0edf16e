// The PrometheusRule for Prometheus Operator users, made from deploy/prometheus/alerts.yml (the
// one source of the alert rules): npm run deploy:rules writes it, a test keeps the two in sync.
import { format, resolveConfig } from 'prettier';
import { parse, stringify } from 'yaml';

export const PROMETHEUS_RULE_PATH = 'deploy/k8s/prometheus-operator/prometheusrule.yaml';

const HEADER = [
  '# GENERATED from deploy/prometheus/alerts.yml by `npm run deploy:rules`: edit that file, not this',
  '# one (test/deploy/k8s.test.ts fails when they differ).',
].join('\n');

/** alerts.yml (Prometheus rule file) → a monitoring.coreos.com/v1 PrometheusRule, formatted. */
export async function renderPrometheusRule(alertsYaml: string): Promise<string> {
  const rules = parse(alertsYaml) as { groups: unknown[] };
  if (!Array.isArray(rules.groups) || rules.groups.length === 0) throw new Error('alerts.yml has no groups');
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'modelgate' },
    spec: { groups: rules.groups },
  };
  const text = `${HEADER}\n${stringify(object, { lineWidth: 0 })}`;
  const config = await resolveConfig(new URL(`../${PROMETHEUS_RULE_PATH}`, import.meta.url));
  return format(text, { ...config, parser: 'yaml' });
}
