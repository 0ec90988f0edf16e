// Rewrites the PrometheusRule from deploy/prometheus/alerts.yml: npm run deploy:rules
import { readFileSync, writeFileSync } from 'node:fs';
import { PROMETHEUS_RULE_PATH, renderPrometheusRule } from './prometheus-rule.js';

const root = new URL('../', import.meta.url);
const alerts = readFileSync(new URL('deploy/prometheus/alerts.yml', root), 'utf8');
writeFileSync(new URL(PROMETHEUS_RULE_PATH, root), await renderPrometheusRule(alerts));
console.log(`${PROMETHEUS_RULE_PATH} updated from deploy/prometheus/alerts.yml`);
