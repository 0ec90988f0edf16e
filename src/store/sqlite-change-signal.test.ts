import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteChangeSignal } from './sqlite-change-signal.js';

describe('SqliteChangeSignal', () => {
  it('wakes the follower once per change of data_version, not while it stays the same', async () => {
    let version = 7;
    let woken = 0;
    const signal = new SqliteChangeSignal(() => version, 5);
    signal.start(() => woken++);
    assert.equal(signal.connected, true);
    await sleep(30);
    assert.equal(woken, 0, 'the version read at start is not a change');
    version = 8;
    await sleep(30);
    assert.equal(woken, 1);
    version = 9;
    await sleep(30);
    assert.equal(woken, 2);
    await signal.close();
    version = 10;
    await sleep(20);
    assert.equal(woken, 2, 'nothing after close');
    assert.equal(signal.connected, false);
  });
});
