import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { parseFreezes, parseWindows } from '../modules/rollouts/windows.js';
import { parseWindowSpec } from '../modules/monitoring/window-spec.js';
import { parsePromotionPolicy } from '../modules/quality/promotion-policy.js';
import { parseTrustedProxies } from '../shared/client-address.js';
import { ConfigSchema, configKeys, type Config, type ConfigKeyInfo } from './config-schema.js';

/** Thrown when configuration is malformed; the message names every bad key and where it came from. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super('Invalid configuration:\n' + problems.map((p) => '  - ' + p).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  env?: Record<string, string | undefined>;
  /** Values from command-line flags; they win over everything else. */
  overrides?: Partial<Record<keyof Config, unknown>>;
}

type Raw = { value: unknown; source: string };

/**
 * Builds the one Config: schema defaults < config file (MODELGATE_CONFIG, YAML or JSON) <
 * environment (MODELGATE_*) < `*_FILE` secrets < command-line overrides. Strings from the
 * environment are converted strictly ("8080x" is not a port). Any problem stops with ConfigError.
 */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const problems: string[] = [];
  const raw = new Map<string, Raw>();
  const keys = configKeys();

  const configPath = env.MODELGATE_CONFIG;
  if (configPath) readConfigFile(configPath, keys, raw, problems);

  for (const info of keys) {
    for (const name of [...info.env].reverse()) {
      const value = env[name];
      if (value !== undefined && value !== '') raw.set(info.key, { value, source: name });
    }
    if (info.secret) readSecretFile(info, env, raw, problems);
  }
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    if (value !== undefined) raw.set(key, { value, source: `--${key}` });
  }

  const candidate: Record<string, unknown> = {};
  for (const info of keys) {
    const entry = raw.get(info.key);
    if (entry === undefined) continue;
    const converted = convert(entry.value, info.schema);
    if (!Value.Check(info.schema, converted)) {
      problems.push(
        `${entry.source}: ${describeExpected(info.schema)}, got ${show(entry.value, info.secret)}`,
      );
      continue;
    }
    candidate[info.key] = converted;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const withDefaults = Value.Default(ConfigSchema, candidate) as Config;
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) throw new ConfigError(errors.map((e) => `${e.path}: ${e.message}`));
  const crossProblems = crossCheck(withDefaults);
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);
  return Object.freeze(withDefaults);
}

/** Rules that span keys. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  if (config.jwtJwksUrl && config.jwtPublicKey) {
    problems.push('MODELGATE_JWT_JWKS_URL and MODELGATE_JWT_PUBLIC_KEY are both set; set only one');
  }
  if (config.jwtJwksUrl || config.jwtPublicKey) {
    if (!config.jwtIssuer) problems.push('MODELGATE_JWT_ISSUER: required when JWT verification is enabled');
    if (!config.jwtAudience)
      problems.push('MODELGATE_JWT_AUDIENCE: required when JWT verification is enabled');
  }
  for (const origin of config.corsOrigins.split(',').filter(Boolean)) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin.trim())) {
      problems.push(`MODELGATE_CORS_ORIGINS: '${origin}' is not an origin (scheme://host[:port])`);
    }
  }
  if (config.driftPsiAct < config.driftPsiWatch) {
    problems.push(
      `MODELGATE_DRIFT_PSI_ACT (${config.driftPsiAct}) must be at least MODELGATE_DRIFT_PSI_WATCH (${config.driftPsiWatch})`,
    );
  }
  if (config.databaseStartRetryMaxMs < config.databaseStartRetryInitialMs) {
    problems.push(
      `MODELGATE_DATABASE_START_RETRY_MAX_MS (${config.databaseStartRetryMaxMs}) must be at least MODELGATE_DATABASE_START_RETRY_INITIAL_MS (${config.databaseStartRetryInitialMs})`,
    );
  }
  for (const [key, parse] of [
    ['MODELGATE_ROLLOUT_WINDOWS', () => parseWindows(config.rolloutWindows)],
    ['MODELGATE_ROLLOUT_FREEZES', () => parseFreezes(config.rolloutFreezes)],
    ['MODELGATE_DRIFT_WINDOW', () => parseWindowSpec(config.driftWindow)],
    ['MODELGATE_PROMOTION_POLICY', () => parsePromotionPolicy(config.promotionPolicy)],
    ['MODELGATE_TRUST_PROXY', () => parseTrustedProxies(config.trustProxy)],
  ] as const) {
    try {
      parse();
    } catch (err) {
      problems.push(`${key}: ${(err as Error).message}`);
    }
  }
  return problems;
}

function readConfigFile(
  path: string,
  keys: ConfigKeyInfo[],
  raw: Map<string, Raw>,
  problems: string[],
): void {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(`MODELGATE_CONFIG: cannot read ${path}: ${(err as Error).message}`);
    return;
  }
  if (parsed === null || parsed === undefined) return;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    problems.push(`MODELGATE_CONFIG: ${path} must hold a mapping of keys to values`);
    return;
  }
  const byFileKey = new Map(keys.map((k) => [k.fileKey, k]));
  for (const [fileKey, value] of Object.entries(parsed)) {
    const info = byFileKey.get(fileKey);
    if (!info) {
      problems.push(`${path}: unknown key '${fileKey}'`);
      continue;
    }
    if (info.secret) {
      problems.push(
        `${path}: '${fileKey}' is a secret; set it with ${info.env[0]} or ${info.env[0]}_FILE instead`,
      );
      continue;
    }
    raw.set(info.key, { value, source: `${path}: ${fileKey}` });
  }
}

function readSecretFile(
  info: ConfigKeyInfo,
  env: Record<string, string | undefined>,
  raw: Map<string, Raw>,
  problems: string[],
): void {
  for (const name of info.env) {
    const filePath = env[name + '_FILE'];
    if (!filePath) continue;
    if (env[name]) {
      problems.push(`${name} and ${name}_FILE are both set; set only one`);
      return;
    }
    try {
      raw.set(info.key, {
        value: readFileSync(filePath, 'utf8').replace(/\r?\n$/, ''),
        source: `${name}_FILE`,
      });
    } catch (err) {
      problems.push(
        `${name}_FILE: cannot read ${filePath}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    return;
  }
}

/** Converts an environment string to the schema's type; anything doubtful is left for Check to reject. */
function convert(value: unknown, schema: TSchema): unknown {
  if (typeof value !== 'string') return value;
  const type = (schema as { type?: string }).type;
  if (type === 'integer' || type === 'number') {
    const trimmed = value.trim();
    if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(trimmed)) return value;
    return Number(trimmed);
  }
  if (type === 'boolean') {
    if (['true', '1', 'yes', 'on'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no', 'off'].includes(value.toLowerCase())) return false;
  }
  return value;
}

function describeExpected(schema: TSchema): string {
  const s = schema as Record<string, unknown> & { minimum?: number; maximum?: number };
  if (Array.isArray(s.anyOf)) {
    return 'expected one of ' + (s.anyOf as Array<{ const: unknown }>).map((o) => String(o.const)).join(', ');
  }
  const range =
    s.minimum !== undefined || s.maximum !== undefined
      ? ` from ${String(s.minimum ?? '-inf')} to ${String(s.maximum ?? 'inf')}`
      : '';
  if (s.type === 'integer') return `expected an integer${range}`;
  if (s.type === 'number') return `expected a number${range}`;
  if (s.type === 'boolean') return 'expected true or false';
  if (typeof s.pattern === 'string') return `expected a string matching ${s.pattern}`;
  return `expected ${String(s.type)}`;
}

function show(value: unknown, secret: boolean): string {
  if (secret) return '[a value that is not shown]';
  return JSON.stringify(value);
}
