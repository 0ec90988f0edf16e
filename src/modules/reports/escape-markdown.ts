/**
 * Escapes user text for CommonMark / GitHub-flavoured Markdown so that it renders as the literal
 * text it is, whatever the renderer:
 * - inline syntax: `\` `` ` `` `*` `_` `[` `]` `|` `~` get a backslash (no emphasis, code, links,
 *   images, strikethrough, and no extra table cells);
 * - `<` and `&` become entities (no raw HTML, no autolinks, no entity tricks);
 * - block syntax at the start of a line (`#` headings, `>` quotes, `-`/`+`/`=` lists and setext
 *   underlines, `1.` ordered lists) is neutralised with a backslash.
 * Line breaks are kept (paragraph text may have several); use escapeMarkdownCell inside tables.
 * Example: escapeMarkdown('# Title | <b>') → '\# Title \| &lt;b>'.
 */
export function escapeMarkdown(text: string): string {
  return escapeInline(text)
    .replace(/^([ \t]*)([#>+=-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d{1,9})([.)])(?=\s|$)/gm, '$1\\$2');
}

/**
 * For a table cell: one line, inline syntax only (a cell holds no block syntax, so `1.` or `#` at
 * its start is plain text and stays unescaped).
 */
export function escapeMarkdownCell(text: string): string {
  return escapeInline(text.replace(/\s*[\r\n]+\s*/g, ' '));
}

function escapeInline(text: string): string {
  return text
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/**
 * A code span for identifiers such as hashes and paths, which read better in monospace; text a
 * code span cannot hold safely (backticks, pipes, line breaks) falls back to escaped plain text.
 */
export function markdownCode(text: string): string {
  return /^[^`|\r\n]+$/.test(text) && text.trim() === text ? `\`${text}\`` : escapeMarkdownCell(text);
}
