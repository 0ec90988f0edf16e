import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../shared/seeded-random.js';
import { checkParsedJson, fewContainers, jsonLimitProblem } from './json-limits.js';

/** The character-by-character scan jsonLimitProblem replaced: the reference it must agree with. */
function reference(text: string, maxDepth: number, maxString: number): string | undefined {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = ++i;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      if (i - start > maxString) return `a string in the body is longer than ${maxString} characters`;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return `the body nests deeper than ${maxDepth} levels`;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
    i++;
  }
  return undefined;
}

describe('jsonLimitProblem', () => {
  const cases: Array<[string, string, number, number, string | undefined]> = [
    ['flat object', '{"a":1,"b":"xy"}', 1, 2, undefined],
    ['too deep', '{"a":[[1]]}', 2, 10, 'the body nests deeper than 2 levels'],
    ['brackets inside strings do not nest', '{"a":"[[[{{{"}', 1, 10, undefined],
    ['a long key', '{"abcdef":1}', 5, 5, 'a string in the body is longer than 5 characters'],
    ['an escaped quote stays inside the string', '{"a":"x\\"yz"}', 5, 5, undefined],
    ['an escaped quote counts', '{"a":"x\\"yzw"}', 5, 5, 'a string in the body is longer than 5 characters'],
    [
      'an escaped backslash ends before the quote',
      '{"a":"\\\\","b":[[1]]}',
      1,
      5,
      'the body nests deeper than 1 levels',
    ],
    [
      'an unterminated string runs to the end',
      '{"a":"xxxxxx',
      5,
      5,
      'a string in the body is longer than 5 characters',
    ],
    [
      'a final backslash reaches one past the end',
      '"abcd\\',
      5,
      5,
      'a string in the body is longer than 5 characters',
    ],
    ['malformed JSON is left to the parser', '{]]]', 1, 1, undefined],
  ];
  for (const [name, text, depth, string, expected] of cases) {
    it(name, () => {
      assert.equal(jsonLimitProblem(text, depth, string), expected);
      assert.equal(reference(text, depth, string), expected);
    });
  }

  it('agrees with the character-by-character scan on random texts', () => {
    const random = mulberry32(11);
    const alphabet = ['"', '\\', '{', '}', '[', ']', 'a', ':', ',', '1', ' ', 'é'];
    for (let i = 0; i < 15_000; i++) {
      let text = '';
      const length = Math.floor(random() * 30);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      for (const [depth, string] of [
        [2, 3],
        [0, 1],
        [5, 10],
      ] as const) {
        assert.equal(
          jsonLimitProblem(text, depth, string),
          reference(text, depth, string),
          JSON.stringify(text),
        );
      }
    }
  });
});

describe('checkParsedJson', () => {
  /** A random JSON value: nested arrays and objects (unique keys), strings, numbers, literals. */
  function randomValue(random: () => number, depth: number): unknown {
    const pick = random();
    const text = () => 'abcé[{'.repeat(3).slice(0, Math.floor(random() * 14));
    if (depth > 7 || pick < 0.3)
      return pick < 0.1 ? text() : pick < 0.2 ? Math.floor(random() * 1e6) / 7 : null;
    const n = Math.floor(random() * 4);
    if (pick < 0.65) return Array.from({ length: n }, () => randomValue(random, depth + 1));
    return Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`${i}${text()}`, randomValue(random, depth + 1)]),
    );
  }

  it('agrees with the scan of the text on values parsed from texts without a backslash', () => {
    const random = mulberry32(5);
    let refused = 0;
    for (let i = 0; i < 5_000; i++) {
      const text = JSON.stringify(randomValue(random, 0));
      assert.ok(!text.includes('\\'));
      for (const [depth, string] of [
        [2, 3],
        [1, 16],
        [4, 8],
        [9, 100],
      ] as const) {
        const scanned = jsonLimitProblem(text, depth, string) !== undefined;
        assert.equal(
          checkParsedJson(JSON.parse(text), depth, string),
          scanned ? 'exceeds-limits' : 'ok',
          `${text} ${depth} ${string}`,
        );
        if (scanned) refused++;
      }
    }
    // both answers occur
    assert.ok(refused > 2_000 && refused < 18_000, `refused ${refused} of 20,000`);
  });

  it('checks keys, strings at the top and in arrays, and counts empty containers as levels', () => {
    assert.equal(checkParsedJson('abcdef', 5, 5), 'exceeds-limits');
    assert.equal(checkParsedJson('abcde', 5, 5), 'ok');
    assert.equal(checkParsedJson({ abcdef: 1 }, 5, 5), 'exceeds-limits');
    assert.equal(checkParsedJson([['abcdef']], 5, 5), 'exceeds-limits');
    assert.equal(checkParsedJson({ a: [[]] }, 2, 5), 'exceeds-limits');
    assert.equal(checkParsedJson({ a: [[]] }, 3, 5), 'ok');
    assert.equal(checkParsedJson(12, 1, 1), 'ok');
  });

  it('reports a __proto__ or constructor key, not the words in values', () => {
    assert.equal(checkParsedJson(JSON.parse('{"a":[{"__proto__":{"x":1}}]}'), 9, 99), 'suspect-key');
    assert.equal(checkParsedJson(JSON.parse('{"a":{"constructor":1}}'), 9, 99), 'suspect-key');
    assert.equal(checkParsedJson(JSON.parse('{"a":["__proto__","constructor"]}'), 9, 99), 'ok');
    // whichever comes first in the walk
    assert.equal(checkParsedJson(JSON.parse('{"abcdefghijklm":{"constructor":1}}'), 9, 12), 'exceeds-limits');
    assert.equal(checkParsedJson(JSON.parse('{"constructor":{"abcdefghijklm":1}}'), 9, 12), 'suspect-key');
  });
});

it('fewContainers counts every { and [, inside strings too', () => {
  assert.equal(fewContainers('{"a":[1,{"b":"[{"}]}', 5), true);
  assert.equal(fewContainers('{"a":[1,{"b":"[{"}]}', 4), false);
  assert.equal(fewContainers('12', 0), true);
  assert.equal(fewContainers('['.repeat(5000), 4096), false);
});
