import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import Fastify from 'fastify';
import { parsePlainJson } from './plain-json.js';

/** What Fastify's own parser (secure-json-parse, poisoning refused) makes of a text. */
const fastifyParse = Fastify().getDefaultJsonParser('error', 'error');
function secure(text: string): { value: unknown } | { error: string } {
  let out: { value: unknown } | { error: string } = { error: 'no answer' };
  // synchronous: the callback has run when the parser returns
  void fastifyParse({} as never, text, (err, value) => (out = err ? { error: err.message } : { value }));
  return out;
}

describe('parsePlainJson', () => {
  it('answers what the secure parser answers, whenever it answers at all', () => {
    const keys = fc.constantFrom('a', '__proto__', 'constructor', 'prototype', 'x\u00e9', '_');
    const text = fc.oneof(
      fc.json(),
      // objects with the keys the secure parser looks for, literal or \u-escaped
      fc
        .tuple(keys, fc.json(), fc.boolean())
        .map(
          ([k, v, escape]) => `{"${escape ? k.replace(/_/g, '\\u005f').replace(/c/g, '\\u0063') : k}": ${v}}`,
        ),
      fc.json().map((j) => `\ufeff${j}`),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (t) => {
        const plain = parsePlainJson(t);
        if (plain === undefined) return;
        assert.deepEqual(secure(t), plain, t);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves every poisoning key, however spelled, and every invalid text to the secure parser', () => {
    for (const t of [
      '{"__proto__":{"x":1}}',
      '{"a":[{"\\u005f_proto__":{}}]}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"\\u0063onstructor":{"prototype":{}}}',
      '{"constructor":1}', // allowed by the secure parser, which then answers it
      '{"a":"__proto__"}', // a value, not a key: the secure parser takes a second look
      '\ufeff{"a":1}',
      '{"a":',
      '',
    ]) {
      assert.equal(parsePlainJson(t), undefined, t);
    }
    assert.ok('error' in secure('{"__proto__":{"x":1}}'), 'which refuses it');
  });

  it('parses an ordinary predict body itself', () => {
    const body = JSON.stringify({ instances: [{ mean_radius: 14.2, label: 'x' }] });
    assert.deepEqual(parsePlainJson(body), { value: JSON.parse(body) as unknown });
  });
});
