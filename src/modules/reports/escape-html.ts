const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a value for HTML text and for a quoted attribute alike (the five characters that can
 * end a text run or an attribute), so one function serves both and no call site has to choose.
 * Example: escapeHtml(`"><script>`) → `&quot;&gt;&lt;script&gt;`.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
