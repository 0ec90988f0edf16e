import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './server.js';

/** Newest modification time of the TypeScript sources that the build compiles. */
function newestSource(): number {
  return readdirSync(join(REPO, 'src'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .reduce((newest, f) => Math.max(newest, statSync(join(REPO, 'src', f)).mtimeMs), 0);
}

/**
 * Builds dist/ (`npm run build`, what `npm start` does first) unless it is newer than every
 * source: tests of what a user runs from a clone run the compiled code, as the user does.
 */
export function ensureBuilt(): void {
  const marker = join(REPO, 'dist/cli/index.js');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestSource()) return;
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
}
