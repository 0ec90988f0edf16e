/**
 * One pass over a JSON text, before it is parsed, for the limits JSON.parse does not have: how
 * deep arrays and objects nest, and how long a string (key or value) is. Returns what is wrong, or
 * undefined. Malformed JSON is left for the parser to report.
 */
export function jsonLimitProblem(text: string, maxDepth: number, maxString: number): string | undefined {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = ++i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (i - start > maxString) {
        return `a string in the body is longer than ${maxString} characters`;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return `the body nests deeper than ${maxDepth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
    i++;
  }
  return undefined;
}
