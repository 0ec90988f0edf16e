// npm run docs:metrics: regenerates the metrics reference in docs/observability.md from the catalogue.
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceMetricsReference } from '../src/observability/metrics-doc.js';

const path = new URL('../docs/observability.md', import.meta.url);
writeFileSync(path, replaceMetricsReference(readFileSync(path, 'utf8')));
