import { realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/modelgate.js of this install (this file is src/cli/ or dist/cli/). */
export const CLI_BIN = fileURLToPath(new URL('../../bin/modelgate.js', import.meta.url));

const realpath = (p: string): string | undefined => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};

/** A word as a POSIX shell reads it back: quoted only when it has to be. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * How to run this CLI in a command printed for people to copy: `modelgate` when that name on PATH
 * is this install (`npm link`, a global install), else `node <bin/modelgate.js>` relative to the
 * working directory (a fresh clone after `npm start`).
 */
export function cliInvocation(env: Record<string, string | undefined>, cwd: string): string {
  const bin = realpath(CLI_BIN);
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (bin !== undefined && realpath(join(dir, 'modelgate')) === bin) return 'modelgate';
  }
  const rel = relative(cwd, CLI_BIN);
  return `node ${shellQuote(rel === '' || isAbsolute(rel) ? CLI_BIN : rel)}`;
}
