import { configKeys } from './config-schema.js';

/** The README's configuration table, generated from the schema (a test keeps the README equal to it). */
export function renderConfigTable(): string {
  const rows = configKeys().map((k) => {
    const s = k.schema as { default?: unknown; description?: string };
    const env = k.env.map((e) => `\`${e}\``).join(', ') + (k.secret ? ` (or \`${k.env[0]}_FILE\`)` : '');
    const def =
      s.default === undefined
        ? '—'
        : `\`${typeof s.default === 'string' ? s.default : JSON.stringify(s.default)}\``;
    return `| ${env} | \`${k.fileKey}\` | ${def} | ${s.description ?? ''} |`;
  });
  return ['| environment | config file key | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

export function replaceConfigTable(readme: string): string {
  const [before, rest] = readme.split(START);
  const after = rest?.split(END)[1];
  if (before === undefined || after === undefined) throw new Error('README has no config-table markers');
  return `${before}${START}\n${renderConfigTable()}\n${END}${after}`;
}
