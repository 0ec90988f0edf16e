// AppServices for route tests that check HTTP mapping only: `buildApp(fakeServices(...))` and
// `app.inject()`, no socket, no database, no model. What buildApp needs to start is real and
// in memory (config defaults, observability, authentication over an in-memory key store, the
// failed-auth and idempotency stores); every other service is a stand-in that throws "not faked"
// when a test reaches it without providing it.
import { AnswerObservers } from '../../modules/serving/answer.js';
import pino from 'pino';
import type { Config } from '../../config/config-schema.js';
import { loadConfig } from '../../config/load-config.js';
import { MemoryIdempotencyStore } from '../../modules/idempotency/memory-idempotency-store.js';
import { generateApiKey, hashApiKey } from '../../modules/security/api-key.js';
import type { ApiKeyRecord, ApiKeyStore } from '../../modules/security/api-key-store.js';
import { Authenticator } from '../../modules/security/authenticator.js';
import { MemoryFailedAuthStore } from '../../modules/security/failed-auth-store.js';
import type { Scope } from '../../modules/security/scopes.js';
import { Observability } from '../../observability/observability.js';
import { FakeClock } from '../../shared/clock.js';
import { ALWAYS_AVAILABLE } from '../../store/database-health.js';
import type { AppServices } from '../app-services.js';

/** API keys in a map: enough for the real Authenticator. */
export class MemoryApiKeyStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();

  insert(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.id, record);
    return Promise.resolve();
  }
  get(id: string): Promise<ApiKeyRecord | undefined> {
    return Promise.resolve(this.records.get(id));
  }
  list(): Promise<ApiKeyRecord[]> {
    return Promise.resolve([...this.records.values()]);
  }
  revoke(id: string): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || r.revokedAt !== null) return Promise.resolve(false);
    this.records.set(id, { ...r, revokedAt: new Date(0).toISOString() });
    return Promise.resolve(true);
  }
  countActive(): Promise<number> {
    return Promise.resolve([...this.records.values()].filter((r) => r.revokedAt === null).length);
  }

  /** Adds an active key with these scopes and returns it in full. */
  add(name: string, scopes: Scope[]): string {
    const { id, key } = generateApiKey();
    this.records.set(id, {
      id,
      name,
      keyHash: hashApiKey(key),
      scopes,
      createdAt: new Date(0).toISOString(),
      createdBy: 'test',
      revokedAt: null,
    });
    return key;
  }
}

/** A service nobody provided: any method call fails the test with its name. */
function notFaked<T>(name: string): T {
  return new Proxy(
    {},
    {
      get: (_t, prop) => {
        if (prop === 'then') return undefined; // not a thenable
        return () => {
          throw new Error(`${name}.${String(prop)} is not faked in this test`);
        };
      },
    },
  ) as T;
}

export interface FakeServices {
  services: AppServices;
  keys: MemoryApiKeyStore;
  clock: FakeClock;
}

export function fakeServices(
  overrides: Partial<Omit<AppServices, 'config'>> & { config?: Partial<Config> } = {},
): FakeServices {
  const { config: configOverrides, ...rest } = overrides;
  const config: Config = { ...loadConfig({ env: {} }), apiDocs: false, console: false, ...configOverrides };
  const keys = new MemoryApiKeyStore();
  const clock = new FakeClock();
  const services: AppServices = {
    config,
    logger: pino({ level: 'silent' }),
    clock,
    registry: notFaked('registry'),
    serving: notFaked('serving'),
    predict: notFaked('predict'),
    answers: new AnswerObservers(),
    keys: notFaked('keys'),
    auth: new Authenticator(keys),
    failedAuth: new MemoryFailedAuthStore(),
    idempotency: new MemoryIdempotencyStore(),
    audit: notFaked('audit'),
    observability: new Observability('0.0.0-test', { serviceName: 'modelgate-test' }),
    rollouts: notFaked('rollouts'),
    predictionLog: notFaked('predictionLog'),
    feedback: notFaked('feedback'),
    drift: notFaked('drift'),
    evaluations: notFaked('evaluations'),
    promotion: notFaked('promotion'),
    lifecycle: notFaked('lifecycle'),
    collector: notFaked('collector'),
    readiness: notFaked('readiness'),
    stagingDir: '/nonexistent/staging',
    database: ALWAYS_AVAILABLE,
    shuttingDown: () => false,
    ...rest,
  };
  return { services, keys, clock };
}
