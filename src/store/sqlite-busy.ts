/**
 * Runs `step` (a statement on an SQLite connection) again while it fails with SQLITE_BUSY, for at
 * most `waitMs`, sleeping 10–50 ms between tries. For the statements the busy timeout does not
 * cover: two processes that switch a new file to WAL at once (`serve --workers N`, `keys --local`
 * beside a server) both hold a shared lock and ask for an exclusive one, and SQLite answers one of
 * them SQLITE_BUSY at once instead of letting them wait for each other (a deadlock otherwise).
 * Synchronous, as better-sqlite3 is: it only runs while a database is being opened.
 */
export function retryWhileBusy<T>(
  step: () => T,
  waitMs = 5000,
  sleep: (ms: number) => void = sleepSync,
  now: () => number = Date.now,
): T {
  const deadline = now() + waitMs;
  for (;;) {
    try {
      return step();
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || now() >= deadline) throw err;
      sleep(10 + Math.random() * 40);
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
