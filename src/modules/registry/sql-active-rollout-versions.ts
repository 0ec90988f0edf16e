import type { Db } from '../../store/database.js';
import { ACTIVE_STATES } from '../rollouts/types.js';
import type { ActiveRolloutVersions } from './active-rollout-versions.js';

/** Reads the `rollouts` table (read-only): candidate and baseline of every active rollout. */
export class SqlActiveRolloutVersions implements ActiveRolloutVersions {
  constructor(private readonly db: Db) {}

  async versionsInActiveRollouts(model?: string): Promise<Array<{ model: string; version: string }>> {
    const rows = await this.db
      .selectFrom('rollouts')
      .select(['model_name', 'candidate', 'baseline'])
      .where('state', 'in', [...ACTIVE_STATES])
      .$if(model !== undefined, (qb) => qb.where('model_name', '=', model!))
      .execute();
    return rows.flatMap((r) => [
      { model: r.model_name, version: r.candidate },
      { model: r.model_name, version: r.baseline },
    ]);
  }
}
