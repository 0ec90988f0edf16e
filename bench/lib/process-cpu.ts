import { readFileSync } from 'node:fs';

/**
 * User + system CPU time so far of a process, all its threads, and its child processes (the
 * workers of `serve --workers`), in ms (Linux /proc; NaN elsewhere).
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const own = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return own + children.filter(Boolean).reduce((sum, child) => sum + cpuMs(Number(child)), 0);
  } catch {
    return NaN;
  }
}
