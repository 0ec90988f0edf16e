import type { InferenceSession, OnnxValue, Tensor } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import type { Manifest } from '../registry/manifest.js';
import { settleLabels } from './class-labels.js';
import type { OnnxInspection } from './onnx-inspect.js';
import { shortestFloat32 } from './float32.js';

export type Prediction = { label: string; probabilities?: Record<string, number> } | { value: number };

/**
 * Which ONNX outputs answer a request and how they become predictions. Settled once at load time
 * from the manifest, the ONNX graph and the output tensors of a warm-up run.
 */
export type OutputPlan =
  | {
      kind: 'classification';
      scoresOutput?: string;
      labelOutput?: string;
      /** Class names in score-column order (strings even for integer classes); see settleLabels. */
      labels: string[];
      /** The values the label output holds for each class (ONNX classlabels), when known. */
      classValues?: Array<string | number>;
      /** Binary decision rule: label = probability of labels[index] >= threshold. */
      positive?: { index: number; threshold: number };
    }
  | { kind: 'regression'; valueOutput: string };

type OutputMeta = InferenceSession.ValueMetadata;
const FLOAT = ['float32', 'float64'];
const LABEL_TYPES = ['int64', 'int32', 'string'];

export function planOutputs(
  manifest: Manifest,
  outputs: readonly OutputMeta[],
  inspection: OnnxInspection,
  probe: Record<string, OnnxValue>,
): OutputPlan {
  const o = manifest.outputs ?? {};
  const tensors = outputs.filter((m) => m.isTensor);
  const dims = (name: string) => (probe[name] as Tensor).dims;
  const pick = (key: string, named: string | undefined, candidates: OutputMeta[], role: string) =>
    named !== undefined ? requireOutput(named, key, outputs, inspection) : unique(candidates, role);

  if (manifest.task === 'regression') {
    const candidates = tensors.filter((m) => m.isTensor && FLOAT.includes(m.type));
    const valueOutput = pick('value_output', o.value_output, candidates, 'value');
    if (!valueOutput) throw noOutput('a float output for the predicted value', outputs, inspection);
    const d = dims(valueOutput);
    if (!(d.length === 1 || (d.length === 2 && d[1] === 1))) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `regression output '${valueOutput}' must have shape [N] or [N, 1], has [${d.join(', ')}]`,
      );
    }
    return { kind: 'regression', valueOutput };
  }

  const scoresOutput = pick(
    'scores_output',
    o.scores_output,
    tensors.filter((m) => m.isTensor && FLOAT.includes(m.type) && dims(m.name).length === 2),
    'class scores',
  );
  const labelOutput = pick(
    'label_output',
    o.label_output,
    tensors.filter((m) => m.isTensor && LABEL_TYPES.includes(m.type) && dims(m.name).length <= 2),
    'label',
  );
  if (!scoresOutput && !labelOutput)
    throw noOutput('a label output or a class-score output', outputs, inspection);

  const labels = settleLabels(
    o.labels,
    inspection.classLabels,
    scoresOutput ? dims(scoresOutput)[1] : undefined,
  );
  if (manifest.task === 'binary-classification' && labels.length !== 2) {
    throw new AppError(
      'ARTIFACT_INVALID',
      `a binary classifier must have 2 classes; this model has ${labels.length}`,
    );
  }
  const plan: OutputPlan = { kind: 'classification', labels };
  if (scoresOutput) plan.scoresOutput = scoresOutput;
  if (labelOutput) plan.labelOutput = labelOutput;
  if (inspection.classLabels) plan.classValues = inspection.classLabels;
  if (o.threshold !== undefined) {
    if (!scoresOutput)
      throw new AppError(
        'ARTIFACT_INVALID',
        'outputs.threshold needs class scores, and the model has no score output',
      );
    const positive = String(o.positive_label ?? labels[1]);
    const index = labels.indexOf(positive);
    if (index < 0)
      throw new AppError(
        'ARTIFACT_INVALID',
        `outputs.positive_label '${positive}' is not a class of the model (${labels.join(', ')})`,
      );
    plan.positive = { index, threshold: o.threshold };
  }
  return plan;
}

function requireOutput(
  name: string,
  key: string,
  outputs: readonly OutputMeta[],
  inspection: OnnxInspection,
): string {
  const meta = outputs.find((m) => m.name === name);
  if (!meta) {
    throw new AppError(
      'ARTIFACT_INVALID',
      `outputs.${key} names '${name}', which is not an output of the model (outputs: ${outputs.map((m) => m.name).join(', ')})`,
    );
  }
  if (!meta.isTensor) throw nonTensor(name, inspection);
  return name;
}

function unique(candidates: OutputMeta[], role: string): string | undefined {
  if (candidates.length <= 1) return candidates[0]?.name;
  throw new AppError(
    'ARTIFACT_INVALID',
    `several outputs could hold the ${role} (${candidates.map((c) => c.name).join(', ')}); name one in the manifest's outputs`,
  );
}

function nonTensor(name: string, inspection: OnnxInspection): AppError {
  const hint = inspection.hasZipMap
    ? ' It comes from a ZipMap: export the model without it (skl2onnx: options={"zipmap": False}).'
    : '';
  return new AppError('ARTIFACT_INVALID', `output '${name}' is a sequence or map, not a tensor.${hint}`);
}

function noOutput(what: string, outputs: readonly OutputMeta[], inspection: OnnxInspection): AppError {
  const nonTensors = outputs.filter((m) => !m.isTensor);
  if (nonTensors.length > 0) return nonTensor(nonTensors[0]!.name, inspection);
  return new AppError(
    'ARTIFACT_INVALID',
    `the model has no ${what} (outputs: ${outputs.map((m) => m.name).join(', ')})`,
  );
}

/** The outputs to fetch from ONNX Runtime for this plan. */
export function fetchesOf(plan: OutputPlan): string[] {
  if (plan.kind === 'regression') return [plan.valueOutput];
  return [plan.scoresOutput, plan.labelOutput].filter((x): x is string => x !== undefined);
}

/** Turns one run's output tensors into one prediction per input row. */
export function decodeOutputs(plan: OutputPlan, out: Record<string, OnnxValue>, rows: number): Prediction[] {
  const predictions: Prediction[] = new Array<Prediction>(rows);
  if (plan.kind === 'regression') {
    const t = out[plan.valueOutput] as Tensor;
    expectRows(t, rows, plan.valueOutput);
    const data = t.data as Float32Array | Float64Array;
    const fmt = t.type === 'float32' ? shortestFloat32 : (x: number) => x;
    for (let i = 0; i < rows; i++) predictions[i] = { value: fmt(finite(data[i]!, plan.valueOutput, i)) };
    return predictions;
  }
  const { labels } = plan;
  const k = labels.length;
  const scores = plan.scoresOutput ? (out[plan.scoresOutput] as Tensor) : undefined;
  const labelTensor = plan.labelOutput ? (out[plan.labelOutput] as Tensor) : undefined;
  if (scores) {
    expectRows(scores, rows, plan.scoresOutput!);
    if (scores.dims[1] !== k)
      throw new AppError(
        'INFERENCE_FAILED',
        `output '${plan.scoresOutput}' has ${scores.dims[1]} columns, expected ${k}`,
      );
  }
  if (labelTensor) expectRows(labelTensor, rows, plan.labelOutput!);
  const scoreData = scores?.data as Float32Array | Float64Array | undefined;
  const fmt = scores?.type === 'float32' ? shortestFloat32 : (x: number) => x;
  for (let i = 0; i < rows; i++) {
    let probabilities: Record<string, number> | undefined;
    let best = 0;
    if (scoreData) {
      probabilities = {};
      for (let j = 0; j < k; j++) {
        const p = finite(scoreData[i * k + j]!, plan.scoresOutput!, i);
        probabilities[labels[j]!] = fmt(p);
        if (p > scoreData[i * k + best]!) best = j;
      }
    }
    let label: string;
    if (plan.positive && scoreData) {
      const { index, threshold } = plan.positive;
      label = labels[scoreData[i * k + index]! >= threshold ? index : 1 - index]!;
    } else if (labelTensor) {
      label = labelName(plan, (labelTensor.data as ArrayLike<unknown>)[i]);
    } else {
      label = labels[best]!;
    }
    predictions[i] = probabilities ? { label, probabilities } : { label };
  }
  return predictions;
}

function labelName(plan: Extract<OutputPlan, { kind: 'classification' }>, raw: unknown): string {
  const value = typeof raw === 'bigint' ? Number(raw) : (raw as string | number);
  const index = plan.classValues ? plan.classValues.indexOf(value) : typeof value === 'number' ? value : -1;
  return plan.labels[index] ?? String(value);
}

/**
 * A predicted number JSON can carry. NaN or ±Infinity is the version's failure (a 500 that its
 * breaker and a rollout's judge count), not an answer: written as JSON it would be `null`, which
 * the response schema does not allow and a client would read as a prediction.
 */
function finite(x: number, output: string, row: number): number {
  if (Number.isFinite(x)) return x;
  throw new AppError(
    'INFERENCE_FAILED',
    `output '${output}' holds ${x} for row ${row}; a prediction must be a finite number`,
  );
}

function expectRows(t: Tensor, rows: number, name: string): void {
  if (t.dims[0] !== rows)
    throw new AppError('INFERENCE_FAILED', `output '${name}' has ${t.dims[0]} rows for ${rows} inputs`);
}
