import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { CliContext } from '../../src/cli/context.js';
import type { Io } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';
import { REPO } from './server.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the modelgate CLI as a user would (a separate process), from the source tree. */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', ...args],
      {
        cwd: REPO,
        env: { ...process.env, MODELGATE_API_KEY: undefined, MODELGATE_URL: undefined, ...env },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Starts `modelgate serve` in a child process and resolves once it prints where it listens. A
 * server that has not listened within 60 s is killed and the start fails: the caller has no child
 * to stop yet, and a child left running would keep the test file alive.
 */
export function serveProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; banner: string; logs: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'serve', ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not listen within 60 s: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/[^ ]+)/.exec(stderr);
      // the banner is written in one piece; wait for its last line when a demo hint follows
      if (m && (!args.includes('--demo') || stderr.includes('example-request.json'))) {
        clearTimeout(deadline);
        resolve({ child, url: m[1]!, banner: stderr, logs: () => stdout });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/**
 * Runs one command line in this process (the CLI's parser, client and output against a real
 * server): much faster than a child process, for tests that do not need a process of their own.
 */
export async function cliInProcess(
  args: string[],
  env: Record<string, string | undefined> = {},
  ctx: Partial<Omit<CliContext, 'io' | 'env'>> = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => (stdout += t.endsWith('\n') ? t : t + '\n'),
    err: (t) => (stderr += t.endsWith('\n') ? t : t + '\n'),
  };
  const code = await runCli(args, { ...ctx, io, env });
  return { code, stdout, stderr };
}

/**
 * Runs the CLI as `modelgate … | head -1` would: reads standard output up to its first line, then
 * closes the pipe, and resolves when the process has ended.
 */
export function cliFirstLine(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; signal: string | null; line: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: REPO,
      env: { ...process.env, MODELGATE_API_KEY: undefined, MODELGATE_URL: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let line: string | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (line === undefined && stdout.includes('\n')) {
        line = stdout.slice(0, stdout.indexOf('\n'));
        child.stdout.destroy();
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, line: line ?? stdout, stderr });
    });
  });
}

/** A `modelgate serve` child process whose output is kept, for tests that watch it start, wait and stop. */
export interface ServeChild {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in the stream (already written or still to come). */
  waitFor(stream: 'stdout' | 'stderr', re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

/**
 * `modelgate serve` as one process (MODELGATE_WORKERS=1 unless `env` says otherwise): these tests
 * watch one process's log, drain and exit. test/e2e/workers.test.ts covers the workers, and
 * serve-demo and the README journey run the default (one worker per CPU).
 */
export function spawnServe(args: string[], env: Record<string, string>, nodeArgs: string[] = []): ServeChild {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', 'src/cli/index.ts', 'serve', ...args],
    {
      cwd: REPO,
      env: { ...process.env, MODELGATE_WORKERS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => ((out.stdout += d.toString()), notify()));
  child.stderr.on('data', (d: Buffer) => ((out.stderr += d.toString()), notify()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (resolve(code), notify())),
  );
  const waitFor = (stream: 'stdout' | 'stderr', re: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${re} on ${stream} within ${timeoutMs} ms:\n${out[stream].slice(-2000)}`)),
        timeoutMs,
      );
      const check = () => {
        const m = re.exec(out[stream]);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(
            new Error(
              `serve exited (${child.exitCode ?? child.signalCode}) before ${re}:\n${out.stderr.slice(-2000)}`,
            ),
          );
        } else waiters.push(check);
      };
      check();
    });
  return { child, stdout: () => out.stdout, stderr: () => out.stderr, waitFor, exited };
}
