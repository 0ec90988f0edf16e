import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findForbiddenKey, type ForbiddenKey } from './forbidden-json-key.js';

describe('findForbiddenKey', () => {
  const cases: Array<[string, ForbiddenKey | undefined]> = [
    ['{"__proto__":{"x":1}}', { key: '__proto__', pointer: '/__proto__' }],
    ['{"instances":[{"a":1},{"__proto__":null}]}', { key: '__proto__', pointer: '/instances/1/__proto__' }],
    ['{"\\u005f_proto__":{}}', { key: '__proto__', pointer: '/__proto__' }],
    ['{"a":{"constructor":{"prototype":{}}}}', { key: 'constructor', pointer: '/a/constructor' }],
    ['[[{"b/c":{"__proto__":1}}]]', { key: '__proto__', pointer: '/0/0/b~1c/__proto__' }],
    // the first in document order
    [
      '{"z":{"__proto__":1},"a":{"constructor":{"prototype":1}}}',
      { key: '__proto__', pointer: '/z/__proto__' },
    ],
    // what secure-json-parse lets through
    ['{"constructor":1}', undefined],
    ['{"constructor":{"name":"x"}}', undefined],
    ['{"prototype":{}}', undefined],
    ['{"proto":"__proto__"}', undefined],
    ['["__proto__"]', undefined],
    ['{}', undefined],
    ['null', undefined],
    // not JSON: nothing to point at
    ['{"__proto__":', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${text || '(empty)'} → ${expected ? expected.pointer : 'none'}`, () =>
      assert.deepEqual(findForbiddenKey(text), expected));
  }
});
