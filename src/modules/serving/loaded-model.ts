import type { InferenceSession, OnnxValue } from 'onnxruntime-node';
import type { RowModel } from '../datasets/predict-rows.js';
import type { FieldProblem } from '../../shared/errors.js';
import { AppError } from '../../shared/errors.js';
import type { Task } from '../registry/manifest.js';
import { compileInstanceEncoder, decodeInstances, type InstanceEncoder } from './input-codec.js';
import type { InstanceValidator } from './instance-validator.js';
import { decodeOutputs, fetchesOf, type OutputPlan, type Prediction } from './output-plan.js';
import type { Signature } from './signature.js';
import { v2Metadata, type V2TensorMetadata } from './v2-tensors.js';
import { predictionValueOf } from '../monitoring/prediction-value.js';
import { Batcher, DEFAULT_BATCH_OPTIONS, type BatchOptions } from './batcher.js';
import { batchKey, joinFeeds, splitOutputs, type TensorRequest } from './tensor-batch.js';

type Row = Record<string, unknown>;
interface RowsAnswer {
  predictions: Prediction[];
  /** the duration of the ONNX Runtime run that answered these rows (shared by a batch) */
  inferenceMs: number;
}

interface TensorAnswer {
  outputs: Record<string, OnnxValue>;
  inferenceMs: number;
}

/** The first-axis length every tensor feed shares, or undefined (then the request runs alone). */
function batchRows(feeds: Record<string, OnnxValue>): number | undefined {
  let rows: number | undefined;
  for (const v of Object.values(feeds)) {
    const dims = (v as { dims?: readonly number[] }).dims;
    const n = dims?.[0];
    if (dims === undefined || dims.length < 1 || n === undefined || n < 1) return undefined;
    if (rows !== undefined && rows !== n) return undefined;
    rows = n;
  }
  return rows;
}

/** Runs of one version, for metrics: how many requests and rows each carried. */
export type BatchObserver = (requests: number, rows: number) => void;

export interface VersionIdentity {
  model: string;
  version: string;
  artifactSha256: string;
  task: Task;
}

/**
 * One model version in ONNX Runtime, verified and warmed: validate, then predict. Counts requests
 * in flight so that a version swapped out of service is released only after they finish.
 */
export class LoadedModel {
  #inFlight = 0;
  #released = false;
  #drained: (() => void) | undefined;
  readonly loadedAt = new Date();
  readonly #rows: Batcher<Row[], RowsAnswer>;
  readonly #tensors: Batcher<TensorRequest, TensorAnswer>;
  readonly #encode: InstanceEncoder;
  /** `model@version`, joined once: the version's breaker is looked up by it on every request */
  readonly key: string;

  constructor(
    readonly identity: VersionIdentity,
    readonly signature: Signature,
    readonly outputs: OutputPlan,
    private readonly session: InferenceSession,
    private readonly validator: InstanceValidator,
    /** a binary classifier's positive class as drift monitoring tracks it (manifest, else labels[1]) */
    private readonly positiveLabel?: string,
    readonly batching: BatchOptions = DEFAULT_BATCH_OPTIONS,
    onBatch?: BatchObserver,
  ) {
    this.key = `${identity.model}@${identity.version}`;
    this.#encode = compileInstanceEncoder(signature.plan, signature.features);
    this.#rows = new Batcher(
      (requests) => this.#runRows(requests),
      (rows) => rows.length,
      batching,
      onBatch,
    );
    this.#tensors = new Batcher(
      (requests) => this.#runTensorBatch(requests),
      (r) => r.rows,
      batching,
      onBatch,
    );
  }

  /** Several V2 requests with the same inputs and fetches as one run, cut back per request. */
  async #runTensorBatch(requests: TensorRequest[]): Promise<TensorAnswer[]> {
    if (requests.length === 1) {
      const only = requests[0]!;
      return [await this.#runSession(only.feeds, only.fetches)];
    }
    const key = batchKey(requests[0]!);
    // feeds that do not line up: the batcher runs each request alone
    if (requests.some((r) => batchKey(r) !== key))
      throw new Error('requests of one batch differ in their tensors');
    const { outputs, inferenceMs } = await this.#runSession(joinFeeds(requests), requests[0]!.fetches);
    return splitOutputs(outputs, requests).map((o) => ({ outputs: o, inferenceMs }));
  }

  async #runSession(feeds: Record<string, OnnxValue>, fetches: string[]): Promise<TensorAnswer> {
    const started = performance.now();
    let outputs: Record<string, OnnxValue>;
    try {
      outputs = await this.session.run(feeds, fetches);
    } catch (err) {
      throw new AppError('INFERENCE_FAILED', `ONNX Runtime failed to run ${this.key}`, {}, { cause: err });
    }
    return { outputs, inferenceMs: performance.now() - started };
  }

  /** Several requests' rows as one ONNX Runtime run, answered per request. */
  async #runRows(requests: Row[][]): Promise<RowsAnswer[]> {
    const feeds = this.#encode(requests);
    const { outputs, inferenceMs } = await this.#runSession(feeds, fetchesOf(this.outputs));
    let rows = 0;
    for (const r of requests) rows += r.length;
    const predictions = decodeOutputs(this.outputs, outputs, rows);
    if (requests.length === 1) return [{ predictions, inferenceMs }];
    let offset = 0;
    return requests.map((rows) => {
      const mine = predictions.slice(offset, (offset += rows.length));
      return { predictions: mine, inferenceMs };
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get released(): boolean {
    return this.#released;
  }

  validate(instances: unknown[], basePointer?: string): FieldProblem[] {
    return this.validator(instances, basePointer);
  }

  /**
   * Runs validated rows through the model. ONNX Runtime's run cannot be interrupted from
   * JavaScript (it runs on this thread, ADR 0001), so a run that took longer than `timeoutMs` is
   * not cut short: its answer is discarded and the caller gets INFERENCE_TIMEOUT (ADR 0004).
   */
  async predict(rows: Row[], timeoutMs = Infinity): Promise<RowsAnswer> {
    if (this.#released) throw new AppError('MODEL_NOT_READY', `${this.key} was unloaded; retry the request`);
    this.#inFlight++;
    try {
      // concurrent requests share one run (batcher.ts); each gets its own rows' answers
      const answer = await this.#rows.submit(rows);
      if (answer.inferenceMs > timeoutMs) {
        throw new AppError(
          'INFERENCE_TIMEOUT',
          `${this.key} took ${Math.round(answer.inferenceMs)} ms for ${rows.length} instances; the limit is ${timeoutMs} ms`,
        );
      }
      return answer;
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }

  /** This version as a data file sees it: rows checked with pointers `/{row}/…`, then predicted. */
  asRowModel(): RowModel<Prediction> {
    return {
      validate: (rows) => this.validate(rows, ''),
      predict: async (rows) => (await this.predict(rows)).predictions,
    };
  }

  /** The graph's tensor inputs and outputs, for the Open Inference Protocol's model metadata. */
  tensorMetadata(): {
    inputs: readonly InferenceSession.ValueMetadata[];
    outputs: readonly InferenceSession.ValueMetadata[];
  } {
    return { inputs: this.session.inputMetadata, outputs: this.session.outputMetadata };
  }

  #v2: { inputs: V2TensorMetadata[]; outputs: V2TensorMetadata[] } | undefined;

  /** The tensor inputs and outputs as the Open Inference Protocol names them, read once. */
  v2Tensors(): { inputs: V2TensorMetadata[]; outputs: V2TensorMetadata[] } {
    return (this.#v2 ??= {
      inputs: v2Metadata(this.session.inputMetadata),
      outputs: v2Metadata(this.session.outputMetadata),
    });
  }

  /**
   * Runs raw tensors (V2 inference): the caller built and checked the feeds. Concurrent requests
   * with the same inputs share a run (batcher.ts, tensor-batch.ts).
   */
  async runTensors(
    feeds: Record<string, OnnxValue>,
    fetches: string[],
    timeoutMs = Infinity,
  ): Promise<TensorAnswer> {
    if (this.#released) throw new AppError('MODEL_NOT_READY', `${this.key} was unloaded; retry the request`);
    this.#inFlight++;
    try {
      // a request whose feeds have no common first axis cannot share a run: it counts as full
      const rows = batchRows(feeds) ?? this.batching.maxRows;
      const answer = await this.#tensors.submit({ feeds, fetches, rows });
      if (answer.inferenceMs > timeoutMs) {
        throw new AppError(
          'INFERENCE_TIMEOUT',
          `${this.key} took ${Math.round(answer.inferenceMs)} ms; the limit is ${timeoutMs} ms`,
        );
      }
      return answer;
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#drained?.();
    }
  }

  /** A tensor run's outputs (holding `fetchesOf(outputs)`) as the native API's predictions. */
  predictionsOf(outputs: Record<string, OnnxValue>, rows: number): Prediction[] {
    return decodeOutputs(this.outputs, outputs, rows);
  }

  /** A tensor run's inputs (V2) as the records the native API would have taken. */
  rowsOf(feeds: Record<string, OnnxValue>): Array<Record<string, unknown>> {
    return decodeInstances(this.signature.plan, this.signature.features, feeds);
  }

  #valueOf: ((p: Prediction) => number | string) | undefined;

  /**
   * What a prediction says in one number or label, as drift monitoring tracks it: a binary
   * classifier's positive-class score, a regression's value, a label otherwise.
   */
  predictionValue(prediction: Prediction): number | string {
    this.#valueOf ??= predictionValueOf(
      this.identity.task,
      this.positiveLabel,
      this.outputs.kind === 'classification' && this.outputs.scoresOutput !== undefined,
    );
    return this.#valueOf(prediction);
  }

  /** Frees the session once requests in flight have finished. Safe to call twice. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    await this.session.release();
  }
}
