import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { startMallocTrim } from './malloc-trim.js';

describe('startMallocTrim (a fake trim; the addon itself: test/integration/malloc-trim)', () => {
  it('trims every interval, counts the calls that released memory, and stops', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const results = [true, false, true];
    const trim = mock.fn(() => results.shift() ?? false);
    const trimmer = startMallocTrim(10_000, trim);
    assert.equal(trimmer.running, true);
    t.mock.timers.tick(9_999);
    assert.equal(trim.mock.callCount(), 0);
    t.mock.timers.tick(1);
    t.mock.timers.tick(20_000);
    assert.equal(trim.mock.callCount(), 3);
    assert.deepEqual([trimmer.calls, trimmer.released], [3, 2]);
    trimmer.stop();
    t.mock.timers.tick(60_000);
    assert.equal(trim.mock.callCount(), 3);
  });

  it('does not run with an interval of 0 or without the addon', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const trim = mock.fn(() => true);
    const off = startMallocTrim(0, trim);
    const missing = startMallocTrim(10_000, null);
    t.mock.timers.tick(60_000);
    assert.deepEqual([off.running, missing.running, trim.mock.callCount()], [false, false, 0]);
    off.stop();
    missing.stop();
  });
});
