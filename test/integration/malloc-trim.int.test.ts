import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import { loadMallocTrim } from '../../src/shared/malloc-trim.js';

const glibc = Boolean(
  (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime,
);
const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

describe('@modelgate/malloc-trim, the real addon', { skip: glibc ? false : 'not glibc' }, () => {
  it('is built by npm ci (an optional dependency) and loads', () => {
    assert.equal(typeof loadMallocTrim(), 'function');
  });

  it('hands back memory that malloc holds free between live chunks', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const trim = loadMallocTrim()!;
    trim();
    // 64 MB of 16 kB backing stores (malloc'd, under its mmap threshold); every other one freed:
    // the holes sit between live chunks, where free() alone never returns them
    let buffers: Array<ArrayBuffer | null> = Array.from({ length: 4096 }, () => {
      const b = new ArrayBuffer(16 * 1024);
      new Uint8Array(b).fill(1);
      return b;
    });
    buffers = buffers.map((b, i) => (i % 2 === 0 ? b : null));
    gc();
    gc();
    const before = rssMb();
    assert.equal(trim(), true);
    const after = rssMb();
    assert.ok(before - after >= 16, `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB: at least 16 MB back`);
    assert.equal(buffers.filter(Boolean).length, 2048); // the live half stays
  });
});
