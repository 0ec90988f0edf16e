import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPUs a cgroup v2 `cpu.max` file grants: `"<quota> <period>"` in microseconds, or `"max <period>"`
 * for no limit (undefined). The quota may allow a fraction of a CPU; a worker needs a whole one,
 * so it rounds up: `"150000 100000"` → 1.5 CPUs → 2; `"50000 100000"` → 1.
 */
export function cpusFromCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  return cpusFromQuota(Number(quota), Number(period ?? 100_000));
}

/**
 * CPUs a cgroup v1 CFS quota grants (`cpu.cfs_quota_us` / `cpu.cfs_period_us`); a quota of -1
 * means no limit (undefined). Same rounding as {@link cpusFromCpuMax}.
 */
export function cpusFromQuota(quotaUs: number, periodUs: number): number | undefined {
  if (!Number.isFinite(quotaUs) || !Number.isFinite(periodUs) || quotaUs <= 0 || periodUs <= 0) {
    return undefined;
  }
  return Math.max(1, Math.ceil(quotaUs / periodUs));
}

/** Reads a file's text, or undefined when it cannot be read (absent on this system). */
export type ReadText = (path: string) => string | undefined;

const readOrUndefined: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The CPUs this process may use: `os.availableParallelism()` (the affinity mask), lowered to the
 * cgroup CPU quota when one is set (a container limited to 2 CPUs on a 64-core host gets 2, not
 * 64). cgroup v2 first, then v1. At least 1.
 */
export function availableCpus(
  read: ReadText = readOrUndefined,
  parallelism: number = availableParallelism(),
): number {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  let quota = v2 === undefined ? undefined : cpusFromCpuMax(v2);
  if (v2 === undefined) {
    const q = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us');
    const p = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us');
    if (q !== undefined && p !== undefined) quota = cpusFromQuota(Number(q.trim()), Number(p.trim()));
  }
  return Math.max(1, Math.min(parallelism, quota ?? parallelism));
}
