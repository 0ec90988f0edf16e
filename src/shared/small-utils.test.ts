import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from './canonical-json.js';
import { pointer } from './errors.js';
import { KeyedMutex } from './keyed-mutex.js';
import { redactUrlCredentials } from './logger.js';

describe('canonicalJson', () => {
  const cases: Array<[unknown, string]> = [
    [{ b: 1, a: [2, { d: 3, c: 4 }] }, '{"a":[2,{"c":4,"d":3}],"b":1}'],
    [[], '[]'],
    [null, 'null'],
    ['x', '"x"'],
    [{ z: { y: { x: 1 } } }, '{"z":{"y":{"x":1}}}'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(canonicalJson(input), expected));
  }
});

describe('pointer', () => {
  it('escapes ~ and / (RFC 6901)', () => {
    assert.equal(pointer('instances', 0, 'a/b~c'), '/instances/0/a~1b~0c');
    assert.equal(pointer(), '');
  });
});

describe('KeyedMutex', () => {
  it('runs tasks of one key in order and of different keys concurrently', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = m.run('a', async () => {
      log.push('a1 start');
      await gate;
      log.push('a1 end');
    });
    const a2 = m.run('a', async () => {
      log.push('a2');
    });
    const b = m.run('b', async () => {
      log.push('b');
    });
    await b;
    assert.deepEqual(log, ['a1 start', 'b']);
    release();
    await Promise.all([a1, a2]);
    assert.deepEqual(log, ['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('keeps going after a task fails', async () => {
    const m = new KeyedMutex();
    await assert.rejects(
      m.run('k', async () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    assert.equal(await m.run('k', async () => 42), 42);
  });
});

describe('redactUrlCredentials', () => {
  it('hides the password and keeps the rest', () => {
    assert.equal(redactUrlCredentials('postgres://u:secret@db:5432/x'), 'postgres://u:***@db:5432/x');
    assert.equal(redactUrlCredentials('not a url'), '[unparseable url]');
  });
});
