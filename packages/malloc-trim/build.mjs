// Compiles trim.c into build/trim.node with the C compiler alone (one file against Node-API's
// header: no node-gyp, python or make). Node's headers: npm_config_nodedir, else the include
// folder beside the running node (official builds and images ship it). This package is an
// optional dependency: where this fails (no compiler, no headers) the install goes on without it
// and modelgate does not trim.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const candidates = [
  process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
  join(dirname(realpathSync(process.execPath)), '..', 'include', 'node'),
].filter(Boolean);
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (!include) {
  console.error(`@modelgate/malloc-trim: no node_api.h in ${candidates.join(', ')}; not built`);
  process.exit(1);
}
const here = dirname(new URL(import.meta.url).pathname);
mkdirSync(join(here, 'build'), { recursive: true });
execFileSync(
  process.env.CC ?? 'cc',
  ['-O2', '-shared', '-fPIC', `-I${include}`, '-o', join(here, 'build', 'trim.node'), join(here, 'trim.c')],
  { stdio: 'inherit' },
);
