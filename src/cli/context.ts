import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ModelgateClient } from '../client/client.js';
import { fileError } from '../client/local-files.js';
import { usage } from './cli-error.js';
import type { Io } from './output.js';

export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export interface CliContext {
  io: Io;
  env: Record<string, string | undefined>;
  /** milliseconds since the epoch; injected by tests (default Date.now) */
  now?: () => number;
  /** waits between refreshes of `--watch`; injected by tests */
  sleep?: (ms: number) => Promise<void>;
}

/** The client for remote commands: --url / MODELGATE_URL, --api-key / MODELGATE_API_KEY(_FILE). */
export function clientFor(cmd: Command, ctx: CliContext): ModelgateClient {
  return new ModelgateClient(connectionFor(cmd, ctx));
}

/** Where remote commands connect and with which key (for tools that do not go through the client). */
export function connectionFor(cmd: Command, ctx: CliContext): { baseUrl: string; apiKey?: string } {
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
  return { baseUrl, ...(apiKey ? { apiKey } : {}) };
}

export function wantsJson(cmd: Command): boolean {
  return cmd.optsWithGlobals<GlobalOptions>().json === true;
}

/**
 * The version a command selects: its positional argument (the CLI's one convention), or the
 * deprecated flag it used to take (`--version` on predict and report drift, `--to` on rollback),
 * which still works with a warning.
 */
export function selectedVersion(
  ctx: CliContext,
  positional: string | undefined,
  flag: { name: string; value: string | undefined; usage: string },
): string | undefined {
  if (flag.value === undefined) return positional;
  if (positional !== undefined && positional !== flag.value)
    throw usage(`two versions given (${positional} and ${flag.name} ${flag.value}); give one: ${flag.usage}`);
  ctx.io.err(`warning: ${flag.name} is deprecated; give the version as an argument: ${flag.usage}`);
  return flag.value;
}
