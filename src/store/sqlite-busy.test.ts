import assert from 'node:assert/strict';
import { it } from 'node:test';
import { retryWhileBusy } from './sqlite-busy.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

it('tries again while SQLite answers SQLITE_BUSY, then returns the answer', () => {
  let calls = 0;
  const slept: number[] = [];
  const result = retryWhileBusy(
    () => {
      if (++calls < 3) throw busy();
      return 'wal';
    },
    5000,
    (ms) => slept.push(ms),
    () => 0,
  );
  assert.equal(result, 'wal');
  assert.equal(calls, 3);
  assert.equal(slept.length, 2);
  assert.ok(slept.every((ms) => ms >= 10 && ms <= 50));
});

it('gives up after its wait, and never retries other errors', () => {
  let clock = 0;
  let calls = 0;
  assert.throws(
    () =>
      retryWhileBusy(
        () => {
          calls++;
          throw busy();
        },
        100,
        (ms) => void (clock += ms),
        () => clock,
      ),
    /database is locked/,
  );
  assert.ok(calls >= 3 && calls <= 11, `${calls} tries in 100 ms of 10–50 ms sleeps`);
  calls = 0;
  assert.throws(
    () =>
      retryWhileBusy(() => {
        calls++;
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      }),
    /disk I\/O error/,
  );
  assert.equal(calls, 1);
});
