import { INFERENCE_BUCKETS, INSTANCE_BUCKETS, Metrics, REQUEST_BUCKETS } from './metrics.js';

/** The metrics reference of docs/observability.md, generated from the catalogue. */
export function metricsReference(): string {
  const rows = new Metrics('doc')
    .catalogue()
    .map(
      (m) =>
        `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${m.help} |`,
    );
  return [
    '| metric | type | labels | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    `Buckets (seconds unless noted): inference ${INFERENCE_BUCKETS.join(', ')}; requests ${REQUEST_BUCKETS.join(', ')}; instances per request (count) ${INSTANCE_BUCKETS.join(', ')}.`,
  ].join('\n');
}

const START = '<!-- metrics-reference:start -->';
const END = '<!-- metrics-reference:end -->';

export function replaceMetricsReference(doc: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/observability.md lacks the metrics-reference markers');
  return doc.slice(0, a + START.length) + '\n' + metricsReference() + '\n' + doc.slice(b);
}
