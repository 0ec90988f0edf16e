// Starts a server process for the bench, fuzz and demo scripts and resolves once it says where it
// listens (`modelgate serve` prints "listening on http://127.0.0.1:PORT", the bare bench server
// "listening PORT").
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';

export const ROOT = new URL('../', import.meta.url).pathname;

export function spawnListening(
  args: string[],
  env: Record<string, string>,
  stdoutFile?: string,
): Promise<{ child: ChildProcess; port: number; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      // glibc malloc arenas as `npm start` and the image set them (docs/adr/0011), unless the caller says
      env: { MALLOC_ARENA_MAX: '2', ...process.env, ...env },
      stdio: ['ignore', stdoutFile ? openSync(stdoutFile, 'a') : 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening (?:on http:\/\/127\.0\.0\.1:)?(\d+)/.exec(err);
      if (m) resolve({ child, port: Number(m[1]), url: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${err}`)));
  });
}
