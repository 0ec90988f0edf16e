import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { relayLines } from './line-relay.js';

describe('relayLines', () => {
  it('writes whole lines only, holding a partial line until its end arrives', async () => {
    const from = new PassThrough();
    const writes: string[] = [];
    relayLines(from, { write: (b: Buffer) => writes.push(b.toString()) });
    const ended = new Promise((resolve) => from.on('end', resolve));
    for (const chunk of ['{"a":1}\n{"b":', '2}\n', '{"c"', ':3}\n{"d":4}\n', '{"e":5}']) from.write(chunk);
    from.end();
    await ended;
    assert.deepEqual(writes, ['{"a":1}\n', '{"b":2}\n', '{"c":3}\n{"d":4}\n', '{"e":5}\n']);
    for (const w of writes) assert.ok(w.endsWith('\n'));
  });
});
