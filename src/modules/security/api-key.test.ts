import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey, keyMatches, parseApiKey } from './api-key.js';
import { hasScope } from './scopes.js';

/** The secret part of a key (`mg_<id>_<secret>`; the secret itself may contain `_`). */
const secretOf = (key: string): string => key.split('_').slice(2).join('_');

describe('API keys', () => {
  it('generate keys whose id parses back and whose hash matches only them', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    assert.match(a.key, /^mg_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(parseApiKey(a.key)?.id, a.id);
    assert.notEqual(a.key, b.key);
    assert.equal(a.hash, hashApiKey(a.key));
    assert.ok(!a.hash.includes(secretOf(a.key)), 'the hash does not contain the secret');
    assert.equal(keyMatches(a.key, a.hash), true);
    assert.equal(keyMatches(b.key, a.hash), false);
    const other = a.key.endsWith('A') ? 'B' : 'A'; // change the last character, whatever it is
    assert.equal(keyMatches(a.key.slice(0, -1) + other, a.hash), false);
  });

  it('refuse malformed keys', () => {
    for (const bad of [
      '',
      'mg_',
      'mg_short_x',
      'Bearer mg_abcdefgh_' + 'x'.repeat(40),
      'sk_live_123',
      'mg_abc$defgh_' + 'x'.repeat(40),
    ]) {
      assert.equal(parseApiKey(bad), undefined, bad);
    }
  });

  it('admin implies every scope; others only themselves', () => {
    const p = (scopes: Array<'predict' | 'read' | 'admin'>) => ({ id: 'k', name: 'k', scopes });
    assert.equal(hasScope(p(['admin']), 'predict'), true);
    assert.equal(hasScope(p(['admin']), 'read'), true);
    assert.equal(hasScope(p(['read']), 'predict'), false);
    assert.equal(hasScope(p(['predict']), 'read'), false);
    assert.equal(hasScope(p(['predict', 'read']), 'admin'), false);
  });
});
