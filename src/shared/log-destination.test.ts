import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BufferedFd } from './log-destination.js';

function tempFd(): { fd: number; read: () => string } {
  const file = join(mkdtempSync(join(tmpdir(), 'modelgate-log-')), 'out.log');
  const fd = openSync(file, 'w');
  return { fd, read: () => readFileSync(file, 'utf8') };
}

const settle = async (d: BufferedFd, read: () => string, expectLength: number) => {
  for (let i = 0; i < 200 && Buffer.byteLength(read()) < expectLength; i++)
    await new Promise((r) => setTimeout(r, 5));
  assert.equal(d.buffered, 0);
};

describe('BufferedFd', () => {
  it('holds lines below minLength until flush, then writes them in order', async () => {
    const { fd, read } = tempFd();
    const d = new BufferedFd(fd, { minLength: 1000, intervalMs: 60_000, maxLength: 10_000 });
    d.write('one\n');
    d.write('two\n');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(read(), '', 'nothing written below minLength');
    assert.equal(d.buffered, 8);
    d.flush();
    await settle(d, read, 8);
    assert.equal(read(), 'one\ntwo\n');
    d.end();
    closeSync(fd);
  });

  it('writes on its own past minLength, keeping every line in order across writes', async () => {
    const { fd, read } = tempFd();
    const d = new BufferedFd(fd, { minLength: 64, intervalMs: 60_000, maxLength: 1_000_000 });
    const lines = Array.from(
      { length: 5000 },
      (_, i) => `{"n":${i},"text":"é ünïcode ${'x'.repeat(i % 50)}"}\n`,
    );
    for (const l of lines) d.write(l);
    d.flush();
    const expected = lines.join('');
    await settle(d, read, Buffer.byteLength(expected));
    assert.equal(read(), expected);
    d.end();
    closeSync(fd);
  });

  it('writes a quiet line within intervalMs although no chunk fills', async () => {
    const { fd, read } = tempFd();
    const d = new BufferedFd(fd, { minLength: 1_000_000, intervalMs: 20, maxLength: 10_000_000 });
    d.write('quiet\n');
    await settle(d, read, 6);
    assert.equal(read(), 'quiet\n');
    d.end();
    closeSync(fd);
  });

  it('drops and counts lines past maxLength instead of growing', async () => {
    const { fd, read } = tempFd();
    const d = new BufferedFd(fd, { minLength: 1000, intervalMs: 60_000, maxLength: 10 });
    assert.equal(d.write('12345\n'), true);
    assert.equal(d.write('67890\n'), false, 'would exceed 10 characters');
    assert.equal(d.dropped, 1);
    d.flushSync();
    assert.equal(read(), '12345\n');
    d.end();
    closeSync(fd);
  });

  it('flushSync writes everything buffered before it returns; end stops taking lines', () => {
    const { fd, read } = tempFd();
    const d = new BufferedFd(fd, { minLength: 1_000_000, intervalMs: 60_000, maxLength: 10_000_000 });
    const big = 'y'.repeat(200_000);
    d.write(`${big}\n`);
    d.write('last\n');
    d.end();
    assert.equal(read(), `${big}\nlast\n`);
    assert.equal(d.write('after end\n'), false);
    closeSync(fd);
  });
});
