/**
 * One pass over a JSON text, before it is parsed, for the limits JSON.parse does not have: how
 * deep arrays and objects nest, and how long a string (key or value) is. Returns what is wrong, or
 * undefined. Malformed JSON is left for the parser to report.
 *
 * A string's closing quote is found with indexOf (native, not a loop in JavaScript over every
 * character): it is the first `"` after the opening one that is not escaped, i.e. not preceded by
 * an odd run of backslashes. Only the characters between strings (numbers, punctuation) are
 * looked at one by one. Hot: a 1,000-row predict body is ~750 kB, mostly keys.
 */
export function jsonLimitProblem(text: string, maxDepth: number, maxString: number): string | undefined {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      const end = closingQuote(text, start);
      // an unterminated string runs to the end of the text (where the parser will refuse it)
      if ((end < 0 ? unterminatedLength(text, start) : end - start) > maxString) {
        return `a string in the body is longer than ${maxString} characters`;
      }
      if (end < 0) return undefined;
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return `the body nests deeper than ${maxDepth} levels`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
    i++;
  }
  return undefined;
}

/** The index of the quote that closes the string starting at `start`, or -1. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start);
  while (end >= 0) {
    let k = end - 1;
    while (k >= start && text.charCodeAt(k) === 0x5c /* \ */) k--;
    if ((end - 1 - k) % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** How far the scan of an unterminated string reaches: a final backslash skips one past the end. */
function unterminatedLength(text: string, start: number): number {
  let i = start;
  while (i < text.length) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
  return i - start;
}
