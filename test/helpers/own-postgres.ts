import { execFile, execFileSync, type ExecFileOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Cleanup } from './server.js';
import { freePort } from './ports.js';

/**
 * A PostgreSQL instance of a test's own (initdb + pg_ctl on a free port, data under a temp
 * directory), for fault tests: stopping, restarting, freezing (SIGSTOP) or killing its backends
 * never touches the machine's service or another test's database. Run as the `postgres` user when
 * the test runs as root (PostgreSQL refuses root), else as the current user.
 *
 * Binaries: `MODELGATE_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin` (Debian's layout).
 */
export interface OwnPostgres {
  url: string;
  port: number;
  dataDir: string;
  running(): boolean;
  start(): Promise<void>;
  /** `fast`: sessions are terminated, as a restart does; `immediate`: as a crash does. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGSTOP the postmaster and every backend: the server accepts TCP connections and answers nothing. */
  freeze(): void;
  thaw(): void;
  /** One SQL statement on a fresh connection (not through the code under test). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** pg_terminate_backend of every other session that is idle; returns how many were ended. */
  terminateIdle(): Promise<number>;
  /**
   * The same, blocking this process (psql, synchronously) until those backends have exited: the
   * caller's pooled connections are dead but their sockets unread, as when a connection dies
   * between two requests of a busy process.
   */
  terminateIdleBlocking(): number;
}

/** The other client sessions that sit idle (the pooled connections of the code under test). */
const IDLE_SESSIONS = `pg_stat_activity
  where pid <> pg_backend_pid() and backend_type = 'client backend' and state = 'idle'`;

export function ownPostgresBin(): string | undefined {
  if (process.env.MODELGATE_PG_BIN) return process.env.MODELGATE_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Why own-instance tests cannot run here (undefined: they can). Under CI=true they must. */
export function ownPostgresSkip(): string | false {
  if (ownPostgresBin()) return false;
  if (process.env.CI === 'true')
    throw new Error('PostgreSQL binaries (initdb, pg_ctl) are required under CI=true');
  return 'no PostgreSQL binaries (initdb, pg_ctl); set MODELGATE_PG_BIN';
}

export async function startOwnPostgres(t: Cleanup): Promise<OwnPostgres> {
  const bin = ownPostgresBin();
  if (!bin) throw new Error('no PostgreSQL binaries found; set MODELGATE_PG_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-own-pg-'));
  const dataDir = join(dir, 'data');
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const run = (cmd: string, args: string[]) => exec(join(bin, cmd), args, user);
  await run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = [
    `-c port=${port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
    '-c shared_buffers=16MB',
  ].join(' ');
  let up = false;
  let frozen: number[] = [];
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const instance: OwnPostgres = {
    url,
    port,
    dataDir,
    running: () => up,
    async start() {
      await run('pg_ctl', [
        '-D',
        dataDir,
        '-o',
        options,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      up = true;
    },
    async stop(mode = 'fast') {
      instance.thaw();
      await run('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
      up = false;
    },
    freeze() {
      const pids = instancePids(dataDir);
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      frozen = pids;
    },
    thaw() {
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // already gone
        }
      }
      frozen = [];
    },
    async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      await c.connect();
      try {
        return (await c.query<R>(text, values)).rows;
      } finally {
        await c.end();
      }
    },
    terminateIdleBlocking() {
      const out = execFileSync(
        join(bin, 'psql'),
        [
          url,
          '-Atqc',
          // with a timeout, pg_terminate_backend waits until the backend has exited
          `select count(pg_terminate_backend(pid, 10000))::int from ${IDLE_SESSIONS}`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
      return Number(out.trim());
    },
    async terminateIdle() {
      const rows = await instance.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from ${IDLE_SESSIONS}`,
      );
      return rows[0]!.n;
    },
  };
  t.after(async () => {
    instance.thaw();
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await instance.start();
  return instance;
}

/** The postmaster (first line of postmaster.pid) and its children, from /proc. */
function instancePids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root and there is no postgres user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function exec(file: string, args: string[], user?: { uid: number; gid: number }): Promise<string> {
  const options: ExecFileOptions = {
    timeout: 120_000,
    cwd: tmpdir(),
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  };
  return new Promise((resolve, reject) => {
    execFile(file, args, options, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${String(stderr)}`));
      else resolve(String(stdout));
    });
  });
}
