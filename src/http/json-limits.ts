/**
 * One pass over a JSON text, before it is parsed, for the limits JSON.parse does not have: how
 * deep arrays and objects nest, and how long a string (key or value) is. Returns what is wrong, or
 * undefined. Malformed JSON is left for the parser to report.
 *
 * A string's closing quote is found with indexOf (native, not a loop in JavaScript over every
 * character): it is the first `"` after the opening one that is not escaped, i.e. not preceded by
 * an odd run of backslashes. Only the characters between strings (numbers, punctuation) are
 * looked at one by one. Runs on texts with a backslash, and to word what checkParsedJson found.
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

/**
 * Whether the text has at most `cap` `{` and `[` characters (strings included): a native search
 * per bracket (30 µs on a 1,000-row predict body). Parsing first is safe only for such texts:
 * JSON.parse does not recurse, but costs ~80 ns per level of nesting (1 MB of `[`: 83 ms, 30
 * times a flat text of that size), so a text that could nest deeply is scanned before it is parsed.
 */
export function fewContainers(text: string, cap: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++n > cap) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++n > cap) return false;
  return true;
}

/** What a walk of a parsed value found: nothing, a limit exceeded, or a key to look at closer. */
export type ParsedCheck = 'ok' | 'exceeds-limits' | 'suspect-key';

/**
 * The same limits on a value JSON.parse made from a text without a backslash, where every string
 * of the text is a key or string of the value, character for character: 'exceeds-limits' when
 * the value nests deeper than maxDepth or holds a longer key or string. A walk of the containers
 * only, far cheaper than the scan of the text (a 1,000-row predict body: 0.16 ms against 1.0–1.6
 * ms). It also meets every key, so it reports a `__proto__` or `constructor` key ('suspect-key',
 * whichever it meets first), which the prototype-poisoning-safe parser then judges: the text
 * needs no search for those words. One difference from the scan: a value the parser dropped for a
 * later duplicate key is not seen, and need not be (the server does not hold it; V8's JSON.parse
 * does not recurse, so any depth parses safely, and `fewContainers` bounds how long that takes).
 */
export function checkParsedJson(value: unknown, maxDepth: number, maxString: number): ParsedCheck {
  return elementCheck(value, 0, maxDepth, maxString);
}

function containerCheck(container: object, depth: number, maxDepth: number, maxString: number): ParsedCheck {
  if (depth > maxDepth) return 'exceeds-limits';
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const found = elementCheck(container[i], depth, maxDepth, maxString);
      if (found !== 'ok') return found;
    }
    return 'ok';
  }
  const record = container as Record<string, unknown>;
  for (const key in record) {
    if (key.length > maxString) return 'exceeds-limits';
    if (key === '__proto__' || key === 'constructor') return 'suspect-key';
    const found = elementCheck(record[key], depth, maxDepth, maxString);
    if (found !== 'ok') return found;
  }
  return 'ok';
}

/** A value inside a container at `depth` (0: the top-level value). */
function elementCheck(value: unknown, depth: number, maxDepth: number, maxString: number): ParsedCheck {
  if (typeof value === 'object') {
    return value === null ? 'ok' : containerCheck(value, depth + 1, maxDepth, maxString);
  }
  return typeof value === 'string' && value.length > maxString ? 'exceeds-limits' : 'ok';
}
