import type { Transaction } from 'kysely';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../../store/schema.js';
import type { Aliases, ModelVersion } from './types.js';

/**
 * Inside the transaction that moves aliases: refuses when `production` or `staging` would point at
 * an archived version. The registry checks this before it loads a version; this closes the race
 * with an archive that commits in between (both take the model's lock first).
 */
export async function refuseArchivedTargets(
  trx: Transaction<Database>,
  model: string,
  next: Aliases,
): Promise<void> {
  const targets = [next.production, next.staging].filter((v) => v !== undefined);
  if (targets.length === 0) return;
  const archived = await trx
    .selectFrom('model_versions')
    .select('version')
    .where('model_name', '=', model)
    .where('version', 'in', targets)
    .where('lifecycle', '=', 'archived')
    .executeTakeFirst();
  if (archived) throw versionArchived(model, archived.version);
}

/** Throws VERSION_ARCHIVED when the version is archived; `action` names what was refused. */
export function refuseArchived(v: ModelVersion, action: string): void {
  if (v.lifecycle.state === 'archived') throw versionArchived(v.model, v.version, action);
}

function versionArchived(model: string, version: string, action = 'be promoted or staged'): AppError {
  return new AppError(
    'VERSION_ARCHIVED',
    `${model} ${version} is archived, so it cannot ${action}; 'modelgate models restore ${model} ${version}' makes it active again (unless its artifact was collected)`,
  );
}
