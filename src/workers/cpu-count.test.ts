import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableCpus, cpusFromCpuMax, cpusFromQuota } from './cpu-count.js';

describe('cpusFromCpuMax (cgroup v2)', () => {
  const cases: Array<[string, number | undefined]> = [
    ['max 100000\n', undefined],
    ['max', undefined],
    ['200000 100000\n', 2],
    ['150000 100000', 2], // 1.5 CPUs: a worker needs a whole one
    ['50000 100000', 1],
    ['1000 100000', 1], // a tiny quota is still one worker
    ['400000 50000', 8],
    ['100000', 1], // period omitted: the kernel default of 100 ms
    ['', undefined],
    ['garbage here', undefined],
    ['0 100000', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected}`, () => assert.equal(cpusFromCpuMax(text), expected));
  }
});

describe('cpusFromQuota (cgroup v1)', () => {
  const cases: Array<[number, number, number | undefined]> = [
    [-1, 100_000, undefined],
    [300_000, 100_000, 3],
    [250_000, 100_000, 3],
    [100_000, 0, undefined],
    [Number.NaN, 100_000, undefined],
  ];
  for (const [quota, period, expected] of cases) {
    it(`${quota}/${period} → ${expected}`, () => assert.equal(cpusFromQuota(quota, period), expected));
  }
});

describe('availableCpus', () => {
  const files =
    (map: Record<string, string>) =>
    (path: string): string | undefined =>
      map[path];
  const cases: Array<[string, Record<string, string>, number, number]> = [
    ['no cgroup files: the affinity count', {}, 8, 8],
    ['v2 without a limit', { '/sys/fs/cgroup/cpu.max': 'max 100000\n' }, 8, 8],
    ['v2 limit below the cores', { '/sys/fs/cgroup/cpu.max': '200000 100000\n' }, 8, 2],
    ['v2 limit above the cores: the cores', { '/sys/fs/cgroup/cpu.max': '1600000 100000\n' }, 4, 4],
    [
      'v1 limit',
      {
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '300000\n',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      },
      16,
      3,
    ],
    [
      'v1 without a limit',
      { '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' },
      16,
      16,
    ],
    [
      'v2 wins over v1',
      {
        '/sys/fs/cgroup/cpu.max': 'max 100000',
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000',
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      },
      4,
      4,
    ],
    ['never below one', {}, 0, 1],
  ];
  for (const [name, map, parallelism, expected] of cases) {
    it(`${name} → ${expected}`, () => assert.equal(availableCpus(files(map), parallelism), expected));
  }
});
