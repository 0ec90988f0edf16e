import type { LifecycleView } from '../registry/lifecycle-view.js';
import type { VersionSignature } from '../registry/types.js';
import { escapeHtml } from './escape-html.js';
import { escapeMarkdown, escapeMarkdownCell, markdownCode } from './escape-markdown.js';
import { htmlDocument } from './html-document.js';
import { modelCardContent } from './model-card-content.js';
import type { Block, Cell } from './model-card-document.js';

/** Everything a model card shows about one model version, as the registry and modelgate know it. */
export interface ModelCardData {
  /** the deployment-readiness checklist (go/no-go), when the card is drawn by the server */
  readiness?: {
    go: boolean;
    checks: Array<{ name: string; verdict: 'pass' | 'warn' | 'fail'; reason: string }>;
  };
  model: string;
  version: string;
  display_id: string;
  task: string;
  description?: string;
  intended_use?: string;
  limitations?: string;
  ethical_considerations?: string;
  training_data_version?: string;
  algorithm?: string;
  framework?: string;
  trainer?: string;
  git_commit?: string;
  changelog: string;
  created_at: string;
  created_by: string;
  artifact_sha256: string;
  manifest_sha256: string;
  files: Array<{ path: string; sha256: string; size: number; role: string }>;
  aliases: string[];
  /** active, deprecated or archived; why, when and by whom; whether the artifact was collected */
  lifecycle: LifecycleView;
  /** as the version's signature resolved them */
  features: VersionSignature['features'];
  labels?: string[];
  /** offline metrics declared in the manifest */
  declared_metrics: Record<string, number>;
  /** evaluations recorded by modelgate (newest first) */
  evaluations: Array<{
    id: string;
    created_at: string;
    created_by: string;
    data_sha256: string;
    data_name: string | null;
    rows: number;
    label_column: string;
    metrics: Record<string, number | null>;
  }>;
  /** reference profile summary, when the version has reference data */
  reference: null | {
    rows: number;
    data_sha256: string;
    features: Array<{
      name: string;
      kind: 'numeric' | 'category';
      missing_share: number;
      mean?: number | null;
      std?: number | null;
      min?: number | null;
      max?: number | null;
      top_categories?: string[];
    }>;
    prediction: {
      kind: 'numeric' | 'category';
      mean?: number | null;
      std?: number | null;
      top_categories?: string[];
    };
  };
}

/**
 * The model card as GitHub-flavoured Markdown. Every value from the data goes through
 * escapeMarkdown (see there: inline syntax, raw HTML, and line-start block syntax are neutralised,
 * `|` is escaped in table cells), so no user text can add a heading, a link, HTML or a table
 * column. Abbreviated hashes carry the full value as a footnote.
 */
export function renderModelCardMarkdown(card: ModelCardData): string {
  const doc = modelCardContent(card);
  const footnotes = new Map<string, string>();
  const cell = (c: Cell, inTable: boolean): string => {
    const body = c.code ? markdownCode(c.text) : inTable ? escapeMarkdownCell(c.text) : paragraph(c.text);
    const shown = c.gap ? `_${body}_` : body;
    if (c.full === undefined) return shown;
    const label = footnotes.get(c.full) ?? `hash-${footnotes.size + 1}`;
    footnotes.set(c.full, label);
    return `${shown}[^${label}]`;
  };
  const block = (b: Block): string => {
    switch (b.kind) {
      case 'paragraph':
        return cell(b.value, false);
      case 'heading':
        return `### ${escapeMarkdownCell(b.text)}`;
      case 'fields':
        return b.items
          .map((i) => `- **${escapeMarkdownCell(i.label)}:** ${cell(i.value, false).replace(/\n/g, '\n  ')}`)
          .join('\n');
      case 'table': {
        if (b.rows.length === 0) return `_${escapeMarkdownCell(b.empty)}_`;
        const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
        return [
          row(b.head.map(escapeMarkdownCell)),
          row(b.numeric.map((n) => (n ? '---:' : '---'))),
          ...b.rows.map((r) => row(r.map((c) => cell(c, true)))),
        ].join('\n');
      }
    }
  };
  const parts = [
    `# ${escapeMarkdownCell(doc.title)}`,
    escapeMarkdown(doc.summary.replace(/\s*[\r\n]+\s*/g, ' ')),
  ];
  for (const s of doc.sections) parts.push(`## ${escapeMarkdownCell(s.title)}`, ...s.blocks.map(block));
  if (footnotes.size)
    parts.push([...footnotes].map(([full, label]) => `[^${label}]: sha256 ${markdownCode(full)}`).join('\n'));
  return parts.join('\n\n') + '\n';
}

/** Paragraph text: escaped line by line, leading indentation dropped (it would make a code block). */
function paragraph(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => escapeMarkdown(line.trimStart()))
    .join('\n');
}

const CARD_CSS = `
h3 { font-size: 1.05em; margin: 18px 0 4px; }
section { break-inside: avoid-page; }
`;

/**
 * The model card as one self-contained HTML page (inline CSS, no script, no external resource,
 * a Content-Security-Policy that forbids both). Every value goes through escapeHtml, in text and
 * in attributes alike. Abbreviated hashes carry the full value in a title tooltip.
 */
export function renderModelCardHtml(card: ModelCardData): string {
  const doc = modelCardContent(card);
  const cell = (c: Cell): string => {
    const title = c.full === undefined ? '' : ` title="${escapeHtml(c.full)}"`;
    if (c.gap) return `<span class="gap">${escapeHtml(c.text)}</span>`;
    if (c.code) return `<code${title}>${escapeHtml(c.text)}</code>`;
    return title ? `<span${title}>${escapeHtml(c.text)}</span>` : escapeHtml(c.text);
  };
  const block = (b: Block): string => {
    switch (b.kind) {
      case 'paragraph':
        return `<p>${cell(b.value)}</p>`;
      case 'heading':
        return `<h3>${escapeHtml(b.text)}</h3>`;
      case 'fields':
        return `<dl class="fields">${b.items.map((i) => `<dt>${escapeHtml(i.label)}</dt><dd>${cell(i.value)}</dd>`).join('')}</dl>`;
      case 'table': {
        if (b.rows.length === 0) return `<p class="gap">${escapeHtml(b.empty)}</p>`;
        const td = (c: Cell, i: number) => `<td${b.numeric[i] ? ' class="num"' : ''}>${cell(c)}</td>`;
        return (
          `<div class="table-wrap"><table><thead><tr>${b.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
          `<tbody>${b.rows.map((r) => `<tr>${r.map(td).join('')}</tr>`).join('\n')}</tbody></table></div>`
        );
      }
    }
  };
  const sections = doc.sections.map(
    (s) =>
      `<section id="${escapeHtml(s.id)}">\n<h2>${escapeHtml(s.title)}</h2>\n${s.blocks.map(block).join('\n')}\n</section>`,
  );
  const body = [
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p class="summary">${escapeHtml(doc.summary)}</p>`,
    ...sections,
  ];
  return htmlDocument(doc.title, body.join('\n'), CARD_CSS);
}
