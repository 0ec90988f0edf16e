import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Actor } from '../registry/types.js';
import { generateApiKey } from './api-key.js';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.js';
import { SCOPES, type Scope } from './scopes.js';

export interface CreatedKey {
  record: ApiKeyRecord;
  /** The full key. Returned once, here; only its hash is stored. */
  key: string;
}

export class ApiKeyService {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly clock: Clock,
  ) {}

  async create(name: string, scopes: Scope[], actor: Actor): Promise<CreatedKey> {
    const unknown = scopes.filter((s) => !SCOPES.includes(s));
    if (scopes.length === 0 || unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', `scopes must be a non-empty subset of ${SCOPES.join(', ')}`, {
        errors: [
          {
            pointer: '/scopes',
            detail: unknown.length > 0 ? `unknown scope '${unknown[0]}'` : 'must not be empty',
          },
        ],
      });
    }
    const { id, key, hash } = generateApiKey();
    const record: ApiKeyRecord = {
      id,
      name,
      keyHash: hash,
      scopes: [...new Set(scopes)],
      createdAt: this.clock.now().toISOString(),
      createdBy: actor.id,
      revokedAt: null,
    };
    await this.store.insert(record, {
      principal: actor.id,
      action: 'api_key.created',
      after: publicView(record),
    });
    return { record, key };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.list();
  }

  async revoke(id: string, actor: Actor): Promise<ApiKeyRecord> {
    const record = await this.store.get(id);
    if (!record) throw new AppError('API_KEY_NOT_FOUND', `there is no API key '${id}'`);
    if (record.revokedAt === null) {
      await this.store.revoke(id, {
        principal: actor.id,
        action: 'api_key.revoked',
        before: publicView(record),
      });
    }
    return (await this.store.get(id))!;
  }

  countActive(): Promise<number> {
    return this.store.countActive();
  }
}

/** A key record without its hash: what the API and the audit log show. */
export function publicView(r: ApiKeyRecord): Omit<ApiKeyRecord, 'keyHash'> {
  const { keyHash: _hash, ...rest } = r;
  return rest;
}
