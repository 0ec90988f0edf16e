import { resolve } from 'node:path';
import { shellQuote } from './invocation.js';

export interface BannerFacts {
  url: string;
  /** where the data lives, for the first line: "embedded: …" or "cluster: …" (credentials hidden) */
  where: string;
  /** the admin key created at this start, shown once */
  generatedAdminKey?: string;
  demo: boolean;
  /** the example request, relative to the working directory */
  example: string;
  /** how to run the CLI from the working directory (cliInvocation) */
  cli: string;
  /** the embedded store's directory (absolute), or undefined in cluster mode */
  home?: string;
  cwd: string;
  /** worker processes (`serve --workers N`), when more than one */
  workers?: number;
}

/**
 * What `serve` prints at start, on standard error. Every command in it runs as printed from the
 * working directory the server was started in (a test runs each of them).
 */
export function serveBanner(f: BannerFacts): string {
  const workers = f.workers !== undefined && f.workers > 1 ? `; ${f.workers} workers` : '';
  const lines = [`modelgate listening on ${f.url} (${f.where}${workers})`];
  if (f.generatedAdminKey) {
    lines.push(
      '',
      'Admin API key (shown once; store it now, only its hash is kept):',
      `  ${f.generatedAdminKey}`,
    );
  }
  if (f.demo) {
    lines.push(
      '',
      f.generatedAdminKey
        ? 'Try the demo model:'
        : 'Try the demo model (MODELGATE_API_KEY: the admin key printed at the first start):',
      `  export MODELGATE_URL=${f.url}${f.generatedAdminKey ? ` MODELGATE_API_KEY=${f.generatedAdminKey}` : ''}`,
      `  curl -s $MODELGATE_URL/v1/models/breast-cancer/predict -H "Authorization: Bearer $MODELGATE_API_KEY" \\`,
      `    -H 'content-type: application/json' -d @${shellQuote(f.example)}`,
      `  ${f.cli} models show breast-cancer 1.0.0`,
    );
  }
  if (f.demo && !f.generatedAdminKey) {
    // the store of `keys create --local` is the server's: name it when it is not the default
    const home =
      f.home !== undefined && f.home !== resolve(f.cwd, '.modelgate')
        ? `MODELGATE_HOME=${shellQuote(f.home)} `
        : '';
    lines.push(
      '',
      f.home === undefined
        ? 'Lost the admin key? On a machine with this DATABASE_URL set, create another:'
        : 'Lost the admin key? Create another on this machine (the server may keep running):',
      `  ${home}${f.cli} keys create --local --name rescue --scopes admin`,
    );
  }
  return lines.join('\n');
}
