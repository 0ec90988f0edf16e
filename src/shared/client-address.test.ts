import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientKey, parseTrustedProxies } from './client-address.js';

describe('clientKey', () => {
  const cases: Array<[string, string]> = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:a:b:c:d', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['::1', '::/64'],
    ['not-an-address', 'not-an-address'],
  ];
  for (const [ip, key] of cases) it(`${ip} → ${key}`, () => assert.equal(clientKey(ip), key));

  it('answers the same from its memo, also after more addresses than it keeps', () => {
    for (let i = 0; i < 10_000; i++) {
      // no zero group in the prefix, which the key would write compressed
      const prefix = `2001:db8:${((i >> 8) + 1).toString(16)}:${((i & 255) + 1).toString(16)}`;
      assert.equal(clientKey(`${prefix}::${(i + 1).toString(16)}`), `${prefix}::/64`);
      assert.equal(clientKey(`::ffff:10.0.${i >> 8}.${i & 255}`), `10.0.${i >> 8}.${i & 255}`);
    }
    for (const [ip, key] of cases) assert.equal(clientKey(ip), key, `${ip} again`);
  });
});

describe('parseTrustedProxies', () => {
  const ok: Array<[string, string[]]> = [
    ['', []],
    [' , ', []],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, loopback', ['10.0.0.0/8', 'loopback']],
    ['fd00::/8,linklocal,uniquelocal,::1', ['fd00::/8', 'linklocal', 'uniquelocal', '::1']],
  ];
  for (const [value, list] of ok) {
    it(`'${value}' → ${JSON.stringify(list)}`, () => assert.deepEqual(parseTrustedProxies(value), list));
  }
  for (const value of ['true', '*', '10.0.0.0/33', 'proxy.internal', '10.0.0.1:8080']) {
    it(`refuses '${value}'`, () => assert.throws(() => parseTrustedProxies(value), /is not an address/));
  }
});
