import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from './escape-html.js';
import { escapeMarkdown, escapeMarkdownCell, markdownCode } from './escape-markdown.js';

describe('escapeMarkdown', () => {
  const cases: Array<[string, string]> = [
    ['plain text, v1.2', 'plain text, v1.2'],
    ['', ''],
    ['# Title', '\\# Title'],
    ['  ## indented', '  \\## indented'],
    ['> quote', '&gt; quote'.replace('&gt;', '\\>')],
    ['- item\n+ item', '\\- item\n\\+ item'],
    ['1. first', '1\\. first'],
    ['a | b', 'a \\| b'],
    ['*bold* _it_ `code` ~del~', '\\*bold\\* \\_it\\_ \\`code\\` \\~del\\~'],
    ['[x](javascript:y)', '\\[x\\](javascript:y)'],
    ['<b> & <https://x>', '&lt;b> &amp; &lt;https://x>'],
    ['back\\slash', 'back\\\\slash'],
    ['x-1 = 2', 'x-1 = 2'],
  ];
  for (const [input, expected] of cases) {
    it(`escapes ${JSON.stringify(input)}`, () => assert.equal(escapeMarkdown(input), expected));
  }

  it('puts a cell on one line', () => assert.equal(escapeMarkdownCell('a\n\n# b|c'), 'a # b\\|c'));

  it('uses a code span only when the text fits in one', () => {
    assert.equal(markdownCode('abc123'), '`abc123`');
    assert.equal(markdownCode('a`b'), 'a\\`b');
    assert.equal(markdownCode('a|b'), 'a\\|b');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters of text and quoted attributes', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    assert.equal(escapeHtml(0.5), '0.5');
  });
});
