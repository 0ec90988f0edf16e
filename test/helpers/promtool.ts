import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's promtool (package `prometheus`); `.ci/run` installs it. Tests skip visibly without it, except under CI. */
export const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
export const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => existsSync(p));

export function skipWithout(tool: string | undefined, name: string): string | false {
  if (tool) return false;
  if (process.env.CI === 'true')
    throw new Error(`${name} is missing: under CI=true these tests must run (apt-get install prometheus)`);
  return `${name} is not installed (apt-get install prometheus)`;
}

export function run(cmd: string, args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}
