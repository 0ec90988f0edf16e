import type { InferenceSession, OnnxValue } from 'onnxruntime-node';
import type { RowModel } from '../datasets/predict-rows.js';
import type { FieldProblem } from '../../shared/errors.js';
import { AppError } from '../../shared/errors.js';
import type { Task } from '../registry/manifest.js';
import { decodeInstances, encodeInstances } from './input-codec.js';
import type { InstanceValidator } from './instance-validator.js';
import { decodeOutputs, fetchesOf, type OutputPlan, type Prediction } from './output-plan.js';
import type { Signature } from './signature.js';
import { v2Metadata, type V2TensorMetadata } from './v2-tensors.js';
import { predictionValueOf } from '../monitoring/prediction-value.js';

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

  constructor(
    readonly identity: VersionIdentity,
    readonly signature: Signature,
    readonly outputs: OutputPlan,
    private readonly session: InferenceSession,
    private readonly validator: InstanceValidator,
    /** a binary classifier's positive class as drift monitoring tracks it (manifest, else labels[1]) */
    private readonly positiveLabel?: string,
  ) {}

  get key(): string {
    return `${this.identity.model}@${this.identity.version}`;
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
  async predict(
    rows: Array<Record<string, unknown>>,
    timeoutMs = Infinity,
  ): Promise<{ predictions: Prediction[]; inferenceMs: number }> {
    if (this.#released) throw new AppError('MODEL_NOT_READY', `${this.key} was unloaded; retry the request`);
    this.#inFlight++;
    try {
      const feeds = encodeInstances(this.signature.plan, this.signature.features, rows);
      let out;
      const started = performance.now();
      try {
        out = await this.session.run(feeds, fetchesOf(this.outputs));
      } catch (err) {
        throw new AppError('INFERENCE_FAILED', `ONNX Runtime failed to run ${this.key}`, {}, { cause: err });
      }
      const took = performance.now() - started;
      if (took > timeoutMs) {
        throw new AppError(
          'INFERENCE_TIMEOUT',
          `${this.key} took ${Math.round(took)} ms for ${rows.length} instances; the limit is ${timeoutMs} ms`,
        );
      }
      return { predictions: decodeOutputs(this.outputs, out, rows.length), inferenceMs: took };
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

  /** Runs raw tensors (V2 inference): the caller built and checked the feeds. */
  async runTensors(
    feeds: Record<string, OnnxValue>,
    fetches: string[],
    timeoutMs = Infinity,
  ): Promise<{ outputs: Record<string, OnnxValue>; inferenceMs: number }> {
    if (this.#released) throw new AppError('MODEL_NOT_READY', `${this.key} was unloaded; retry the request`);
    this.#inFlight++;
    try {
      const started = performance.now();
      let outputs: Record<string, OnnxValue>;
      try {
        outputs = await this.session.run(feeds, fetches);
      } catch (err) {
        throw new AppError('INFERENCE_FAILED', `ONNX Runtime failed to run ${this.key}`, {}, { cause: err });
      }
      const took = performance.now() - started;
      if (took > timeoutMs) {
        throw new AppError(
          'INFERENCE_TIMEOUT',
          `${this.key} took ${Math.round(took)} ms; the limit is ${timeoutMs} ms`,
        );
      }
      return { outputs, inferenceMs: took };
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
