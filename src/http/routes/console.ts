import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';

/**
 * The console's pages run only the bundle served beside them: no inline script or style, no
 * other origin, no framing, no form posting anywhere, and Trusted Types so that no string can
 * reach an HTML sink (a user-supplied name can only ever be text).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Where `npm run build` puts the console (the same folder from src/ under tsx and from dist/). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  /** content-hashed file names never change: cached for a year */
  immutable: boolean;
}

/**
 * The built files, read once at start: only these paths are ever answered (no file system lookup
 * per request, so no path to traverse), text compressed once.
 */
export function readConsoleAssets(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir, { recursive: true }).map(String)) {
    const file = join(dir, name);
    const type = TYPES[extname(name)];
    if (!type || !statSync(file).isFile()) continue;
    const body = readFileSync(file);
    const text = !/^image\/(png|x-icon)/.test(type);
    assets.set(relative(dir, file).split(sep).join('/'), {
      body,
      gzip: text && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: name.startsWith(`assets${sep}`),
    });
  }
  return assets;
}

/**
 * The web console at `/console` (off with MODELGATE_CONSOLE=false): a single page built by
 * `npm run build` into dist/console. The page and its assets are public, like /docs: they hold
 * no data, and every call the page makes carries the signed-in user's credential.
 */
export const consoleRoutes: FastifyPluginAsync<{ dir?: string }> = async (app, opts) => {
  const assets = readConsoleAssets(opts.dir ?? CONSOLE_DIR);
  if (!assets) app.log.warn('the web console is not built (npm run build): /console answers 404');

  const send = (req: FastifyRequest, reply: FastifyReply, path: string) => {
    if (!assets)
      throw new AppError('NOT_FOUND', 'the web console is not built on this server (npm run build)');
    const asset = assets.get(path);
    if (!asset) throw new AppError('NOT_FOUND', `the console has no file ${path.slice(0, 100)}`);
    void reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('etag', asset.etag)
      .header('vary', 'accept-encoding')
      .type(asset.type);
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (gzip) void reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? asset.gzip : asset.body);
  };

  app.get('/console', { schema: { hide: true } }, async (req, reply) => send(req, reply, 'index.html'));
  app.get<{ Params: { '*': string } }>('/console/*', { schema: { hide: true } }, async (req, reply) =>
    send(req, reply, req.params['*'] === '' ? 'index.html' : req.params['*']),
  );
};
