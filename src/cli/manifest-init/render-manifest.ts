import { stringify } from 'yaml';
import type { DraftFeature } from './draft-features.js';

/** One top-level key of the drafted manifest, with the comments that explain it. */
export type DraftEntry =
  | { key: string; value: unknown; notes?: string[]; inline?: string }
  /** a key the draft could not fill: the placeholder is refused at registration, naming the key */
  | { key: string; todo: string; placeholder: 'TODO' | null; notes?: string[] }
  | { key: 'features'; features: DraftFeature[]; notes?: string[] }
  /** an optional key, shown commented out */
  | { key: string; optional: string };

const yamlValue = (value: unknown): string => stringify(value, { lineWidth: 0 }).trimEnd();
const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l.length > 0 ? by + l : l))
    .join('\n');
const comments = (lines: readonly string[] | undefined, by = '') =>
  (lines ?? []).map((l) => `${by}# ${l}\n`).join('');

/**
 * Writes the manifest as commented YAML: each key in the order docs/manifest.md gives, a comment
 * above it saying where its value came from, `# TODO` beside each key that needs a person.
 */
export function renderManifest(header: readonly string[], entries: readonly DraftEntry[]): string {
  let out = comments(header);
  for (const e of entries) {
    if ('optional' in e) {
      out += `# ${e.key}: ${e.optional}\n`;
      continue;
    }
    out += comments(e.notes);
    if ('todo' in e)
      out += `${e.key}:${e.placeholder === null ? '' : ` ${e.placeholder}`} # TODO: ${e.todo}\n`;
    else if ('features' in e) out += `features:\n${e.features.map(renderFeature).join('')}`;
    else out += renderValue(e.key, e.value, e.inline);
  }
  return out;
}

function renderValue(key: string, value: unknown, inline?: string): string {
  const text = yamlValue({ [key]: value });
  if (!inline) return `${text}\n`;
  const [first, ...rest] = text.split('\n');
  return [`${first} # ${inline}`, ...rest].join('\n') + '\n';
}

function renderFeature(d: DraftFeature): string {
  const body = yamlValue(d.feature);
  let out = comments(d.note ? [d.note] : undefined, '  ');
  out += `  - ${indent(body, '    ').slice(4)}\n`;
  if (d.observed) {
    out += `    # observed in ${d.observed.file}: ${d.observed.min} to ${d.observed.max}; uncomment to refuse values outside\n`;
    out += `    # min: ${d.observed.min}\n    # max: ${d.observed.max}\n`;
  }
  return out;
}
