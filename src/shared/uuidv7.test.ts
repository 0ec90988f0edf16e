import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uuidv7 } from './uuidv7.js';

describe('uuidv7', () => {
  it('lays out version 7: the milliseconds first, version 7, the RFC 9562 variant', () => {
    const at = Date.UTC(2026, 10, 30, 20, 0, 0, 123);
    const id = uuidv7(at);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  });

  it('orders ids of different milliseconds by time, and never repeats one', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => uuidv7(1_700_000_000_000 + Math.floor(i / 10)));
    const byMs = ids.filter((_, i) => i % 10 === 0);
    assert.deepEqual([...byMs].sort(), byMs);
    assert.equal(new Set(ids).size, ids.length);
  });
});
