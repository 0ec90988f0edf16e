import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ModelgateClient } from '../client/client.js';
import { fileError } from '../client/local-files.js';
import type { Io } from './output.js';

export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export interface CliContext {
  io: Io;
  env: Record<string, string | undefined>;
}

/** The client for remote commands: --url / MODELGATE_URL, --api-key / MODELGATE_API_KEY(_FILE). */
export function clientFor(cmd: Command, ctx: CliContext): ModelgateClient {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const baseUrl = opts.url ?? ctx.env.MODELGATE_URL ?? 'http://127.0.0.1:8080';
  let apiKey = opts.apiKey ?? ctx.env.MODELGATE_API_KEY;
  const keyFile = ctx.env.MODELGATE_API_KEY_FILE;
  if (!apiKey && keyFile) {
    try {
      apiKey = readFileSync(keyFile, 'utf8').trim();
    } catch (err) {
      throw fileError(err, keyFile, 'MODELGATE_API_KEY_FILE');
    }
  }
  return new ModelgateClient({ baseUrl, ...(apiKey ? { apiKey } : {}) });
}

export function wantsJson(cmd: Command): boolean {
  return cmd.optsWithGlobals<GlobalOptions>().json === true;
}
