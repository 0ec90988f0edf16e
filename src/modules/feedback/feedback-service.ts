import type { Kysely } from 'kysely';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Database } from '../../store/schema.js';
import type { RegistryStore } from '../registry/registry-store.js';
import type { Actor } from '../registry/types.js';
import { rocAucOf } from '../rollouts/statistics.js';
import type { Prediction } from '../serving/output-plan.js';
import type { PredictionLog } from './prediction-log.js';

export interface FeedbackItem {
  prediction_id: string;
  /** which instance of the request (default 0) */
  index?: number;
  /** the true label (classification) */
  label?: string | number;
  /** the true value (regression) */
  value?: number;
}

export interface FeedbackResult {
  accepted: number;
  duplicates: number;
  unknown: Array<{ prediction_id: string; index: number; reason: string }>;
}

export interface VersionPerformance {
  version: string;
  labelled: number;
  accuracy: number | null;
  roc_auc: number | null;
  mae: number | null;
}

/** Joins ground truth to logged predictions; feeds rollouts and the live performance view. */
export class FeedbackService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: PredictionLog,
    private readonly store: RegistryStore,
    private readonly clock: Clock,
    private readonly onJudged: (rolloutId: string, variant: 'stable' | 'candidate', correct: boolean) => void,
    /**
     * How long to wait, once per submission, for a prediction id this process does not know:
     * another worker or replica may hold it in its queue until its next flush (250 ms).
     */
    private readonly settleMs = 0,
  ) {}

  /** A logged prediction by id; the first miss of a submission waits `settleMs` and looks again. */
  async #lookup(id: string, waited: { done: boolean }) {
    const p = await this.log.get(id);
    if (p || waited.done || this.settleMs <= 0) return p;
    waited.done = true;
    await new Promise((r) => setTimeout(r, this.settleMs));
    return this.log.get(id);
  }

  async submit(model: string, items: FeedbackItem[], actor: Actor): Promise<FeedbackResult> {
    const result: FeedbackResult = { accepted: 0, duplicates: 0, unknown: [] };
    const at = this.clock.now().toISOString();
    const waited = { done: false };
    for (const item of items) {
      const index = item.index ?? 0;
      const p = await this.#lookup(item.prediction_id, waited);
      const miss = (reason: string) =>
        result.unknown.push({ prediction_id: item.prediction_id, index, reason });
      if (!p || p.model !== model) {
        miss(`no prediction of '${model}' has this id (or it is not logged yet)`);
        continue;
      }
      const predicted = p.predictions[index];
      if (!predicted) {
        miss(`the prediction has ${p.predictions.length} instances`);
        continue;
      }
      const truth = 'label' in predicted ? item.label : item.value;
      if (truth === undefined) {
        miss('label' in predicted ? 'a classification needs `label`' : 'a regression needs `value`');
        continue;
      }
      const inserted = await this.db
        .insertInto('feedback')
        .values({ prediction_id: p.id, idx: index, truth: JSON.stringify(truth), at, principal: actor.id })
        .onConflict((oc) => oc.columns(['prediction_id', 'idx']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        result.duplicates++;
        continue;
      }
      result.accepted++;
      if (p.rolloutId && p.variant && 'label' in predicted) {
        this.onJudged(p.rolloutId, p.variant, String(predicted.label) === String(truth));
      }
    }
    return result;
  }

  /** Live accuracy and ROC-AUC (classification) or MAE (regression) per version, from feedback. */
  async performance(model: string, limit = 20_000): Promise<VersionPerformance[]> {
    if (!(await this.store.getModel(model)))
      throw new AppError('MODEL_NOT_FOUND', `model '${model}' is not registered`);
    const rows = await this.db
      .selectFrom('feedback')
      .innerJoin('predictions', 'predictions.id', 'feedback.prediction_id')
      .select(['predictions.version', 'predictions.outputs', 'feedback.idx', 'feedback.truth'])
      .where('predictions.model_name', '=', model)
      .orderBy('feedback.at', 'desc')
      .limit(limit)
      .execute();
    const byVersion = new Map<string, Array<{ predicted: Prediction; truth: unknown }>>();
    for (const r of rows) {
      const predicted = (JSON.parse(r.outputs) as Prediction[])[r.idx];
      if (!predicted) continue;
      const list = byVersion.get(r.version) ?? [];
      list.push({ predicted, truth: JSON.parse(r.truth) as unknown });
      byVersion.set(r.version, list);
    }
    const out: VersionPerformance[] = [];
    for (const [version, pairs] of byVersion) {
      const v = await this.store.getVersion(model, version);
      const positive = v?.manifest.outputs?.positive_label;
      out.push(performanceOf(version, pairs, positive === undefined ? undefined : String(positive)));
    }
    return out.sort((a, b) => a.version.localeCompare(b.version));
  }
}

export function performanceOf(
  version: string,
  pairs: Array<{ predicted: Prediction; truth: unknown }>,
  positive: string | undefined,
): VersionPerformance {
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const cls = pairs.filter((p) => 'label' in p.predicted);
  const reg = pairs.filter((p) => 'value' in p.predicted);
  let accuracy: number | null = null;
  let rocAuc: number | null = null;
  let mae: number | null = null;
  if (cls.length > 0) {
    accuracy = r4(
      cls.filter((p) => String((p.predicted as { label: string }).label) === String(p.truth)).length /
        cls.length,
    );
    if (positive !== undefined) {
      const scored = cls
        .map((p) => ({
          score: (p.predicted as { probabilities?: Record<string, number> }).probabilities?.[positive],
          pos: String(p.truth) === positive,
        }))
        .filter((s): s is { score: number; pos: boolean } => typeof s.score === 'number');
      rocAuc = scored.length === cls.length ? rocAucOf(scored) : null;
    }
  }
  if (reg.length > 0) {
    mae = r4(
      reg.reduce((a, p) => a + Math.abs((p.predicted as { value: number }).value - Number(p.truth)), 0) /
        reg.length,
    );
  }
  return { version, labelled: pairs.length, accuracy, roc_auc: rocAuc === null ? null : r4(rocAuc), mae };
}
