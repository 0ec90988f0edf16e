import { ModelgateApiError, ModelgateConnectionError, type ModelgateClient } from '../../client/client.js';
import type { FailedRow, ScoredRow } from './format-results.js';
import type { SourceRow } from './row-source.js';

export interface BatchOutcome {
  scored: ScoredRow[];
  failed: FailedRow[];
}

export interface BatchTarget {
  client: ModelgateClient;
  model: string;
  version: string | undefined;
  sleep: (ms: number) => Promise<void>;
}

/** How often a batch is sent again after the connection failed or a gateway timed out. */
const TRANSIENT_RETRIES = 3;
const INSTANCE = /^\/instances\/(\d+)(.*)$/;

/**
 * Scores one batch. A 422 names the bad instances by pointer (`/instances/3/age`): those rows go
 * to the errors with their problems (pointer relative to the row), and the rest is sent again, so
 * one bad row never costs its batch. 429 and 503 are retried by the client (Retry-After);
 * connection failures and 502/504 here, with backoff; anything else ends the run.
 */
export async function scoreBatch(target: BatchTarget, rows: readonly SourceRow[]): Promise<BatchOutcome> {
  const failed: FailedRow[] = rows
    .filter((r) => r.problem !== undefined)
    .map((r) => ({ row: r.row, id: r.id, errors: [{ pointer: '', detail: r.problem! }] }));
  let pending = rows.filter((r) => r.problem === undefined);
  for (let transient = 0; pending.length > 0;) {
    try {
      const answer = await target.client.predict(
        target.model,
        pending.map((r) => r.instance),
        target.version !== undefined ? { version: target.version } : {},
      );
      const scored = pending.map((r, index) => ({
        row: r.row,
        id: r.id,
        predictionId: answer.prediction_id,
        index,
        version: answer.version,
        prediction: answer.predictions[index]!,
      }));
      return { scored, failed: failed.sort((a, b) => a.row - b.row) };
    } catch (err) {
      if (err instanceof ModelgateApiError && err.status === 422) {
        const bad = badInstances(err);
        if (bad.size === 0) {
          // a problem not tied to one instance: every row of the request carries it
          for (const r of pending) failed.push({ row: r.row, id: r.id, errors: problemsOf(err) });
          return { scored: [], failed: failed.sort((a, b) => a.row - b.row) };
        }
        const before = pending.length;
        for (const [i, errors] of bad)
          if (pending[i]) failed.push({ row: pending[i].row, id: pending[i].id, errors });
        pending = pending.filter((_, i) => !bad.has(i));
        if (pending.length === before) throw err;
        continue;
      }
      const transientError =
        err instanceof ModelgateConnectionError ||
        (err instanceof ModelgateApiError && (err.status === 502 || err.status === 504));
      if (!transientError || transient >= TRANSIENT_RETRIES) throw err;
      await target.sleep(500 * 2 ** transient++);
    }
  }
  return { scored: [], failed: failed.sort((a, b) => a.row - b.row) };
}

function badInstances(err: ModelgateApiError): Map<number, Array<{ pointer: string; detail: string }>> {
  const bad = new Map<number, Array<{ pointer: string; detail: string }>>();
  for (const e of err.errors) {
    const m = INSTANCE.exec(e.pointer);
    if (!m) continue;
    const i = Number(m[1]);
    bad.set(i, [...(bad.get(i) ?? []), { pointer: m[2] ?? '', detail: e.detail }]);
  }
  return bad;
}

const problemsOf = (err: ModelgateApiError) =>
  err.errors.length > 0 ? err.errors : [{ pointer: '', detail: `${err.code}: ${err.detail}` }];
