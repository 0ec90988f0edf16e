import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../store/blob-store.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { readCsvDataset } from '../datasets/csv-dataset.js';
import { predictRows } from '../datasets/predict-rows.js';
import { positiveLabel } from '../monitoring/prediction-value.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { Actor, ModelVersion } from '../registry/types.js';
import type { Prediction } from '../serving/output-plan.js';
import type { LoadedModel } from '../serving/loaded-model.js';
import { classificationMetrics, regressionMetrics } from './evaluation-metrics.js';
import type { Evaluation, SqlEvaluationStore } from './evaluation-store.js';

export interface EvaluateInput {
  model: string;
  version: string;
  /** CSV with a header: one column per feature, plus the label column */
  csv: string;
  labelColumn: string;
  dataName?: string;
  actor: Actor;
}

/**
 * Runs a version over labelled data and records its metrics with the data's SHA-256, so later
 * comparisons (promotion policies, model cards) know which data each number came from.
 */
export class EvaluationService {
  constructor(
    private readonly deps: {
      store: SqlEvaluationStore;
      registry: RegistryService;
      /** the version, loaded (pinned versions load on demand) */
      load: (model: string, version: string) => Promise<LoadedModel>;
      clock: Clock;
    },
  ) {}

  async evaluate(input: EvaluateInput): Promise<Evaluation> {
    const v = await this.deps.registry.getVersion(input.model, input.version);
    const what = `data '${input.dataName ?? 'the request body'}'`;
    const data = readCsvDataset(input.csv, v.signature.features, {
      what,
      code: 'DATA_INVALID',
      labelColumn: input.labelColumn,
    });
    const loaded = await this.deps.load(input.model, input.version);
    const predictions = await predictRows(loaded.asRowModel(), data.rows, what, 'DATA_INVALID');
    const metrics = metricsOf(v, data.labels!, predictions, what);
    const evaluation: Evaluation = {
      id: `ev_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      model: v.model,
      version: v.version,
      dataSha256: sha256Hex(input.csv),
      dataName: input.dataName ?? null,
      labelColumn: input.labelColumn,
      rows: data.rows.length,
      metrics,
      createdAt: this.deps.clock.now().toISOString(),
      createdBy: input.actor.id,
    };
    await this.deps.store.insert(evaluation);
    return evaluation;
  }

  async list(model: string, version: string): Promise<Evaluation[]> {
    await this.deps.registry.getVersion(model, version);
    return this.deps.store.list(model, version);
  }
}

function numeric(label: string, i: number, what: string): number {
  const n = Number(label);
  if (label.trim() === '' || !Number.isFinite(n))
    throw new AppError(
      'DATA_INVALID',
      `${what}, row ${i + 1}: label '${label.slice(0, 40)}' is not a number`,
    );
  return n;
}

/** The task's metrics of the predictions against the truth; bad labels are DATA_INVALID. */
function metricsOf(
  v: ModelVersion,
  truth: string[],
  predictions: Prediction[],
  what: string,
): Record<string, number | null> {
  try {
    if (v.task === 'regression') {
      const { rows: _, ...m } = regressionMetrics({
        truth: truth.map((t, i) => numeric(t, i, what)),
        predicted: predictions.map((p) => ('value' in p ? p.value : NaN)),
      });
      return m;
    }
    const labels = v.signature.labels ?? [];
    // a label-only model has no scores: ranking and calibration metrics are undefined for it
    const scored = predictions.every((p) => 'probabilities' in p && p.probabilities !== undefined);
    const { rows: _, ...m } = classificationMetrics({
      labels,
      ...(v.task === 'binary-classification'
        ? { positiveLabel: positiveLabel(v.manifest.outputs?.positive_label, labels) }
        : {}),
      truth,
      predicted: predictions.map((p) => ('label' in p ? p.label : '')),
      // without scores, one-hot rows: accuracy and F1 read only the labels
      probabilities: predictions.map((p) =>
        labels.map((l) =>
          'label' in p ? (scored ? (p.probabilities?.[l] ?? 0) : l === p.label ? 1 : 0) : 0,
        ),
      ),
    });
    return scored ? m : { ...m, roc_auc: null, log_loss: null };
  } catch (err) {
    if (err instanceof RangeError) throw new AppError('DATA_INVALID', `${what}: ${err.message}`);
    throw err;
  }
}
