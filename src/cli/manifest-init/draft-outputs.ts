import type { InferenceSession } from 'onnxruntime-node';
import type { Outputs, Task } from '../../modules/registry/manifest.js';
import type { OnnxInspection } from '../../modules/serving/onnx-inspect.js';

/** What the draft says about the model's answers. */
export interface DraftedOutputs {
  /** undefined: the graph does not tell (a `# TODO`) */
  task: Task | undefined;
  /** why this task, for its comment */
  taskNote: string;
  outputs: Outputs;
  /** the classes the graph declares (names or ids), if any */
  graphLabels?: Array<string | number>;
  /** number of score columns or declared classes, when known */
  classes?: number;
  /** comment lines for `outputs:` */
  notes: string[];
}

type Meta = InferenceSession.ValueMetadata;
const FLOAT = ['float32', 'float64'];
const LABEL_TYPES = ['int64', 'int32', 'string'];

/**
 * Task and output names from the graph: a classifier node's class labels, a label-typed output or
 * a [N, C>1] float output mean classification (two classes: binary); one float output of shape
 * [N] or [N, 1] and nothing else means regression. The output keys are written out even when the
 * server would find them alone, so the manifest says which tensor answers.
 */
export function draftOutputs(outputs: readonly Meta[], inspection: OnnxInspection): DraftedOutputs {
  const tensors = outputs.filter((m): m is Meta & { isTensor: true } => m.isTensor);
  const labelOutputs = tensors.filter((m) => LABEL_TYPES.includes(m.type) && m.shape.length <= 2);
  const scoreOutputs = tensors.filter(
    (m) => FLOAT.includes(m.type) && m.shape.length === 2 && m.shape[1] !== 1,
  );
  const valueOutputs = tensors.filter(
    (m) => FLOAT.includes(m.type) && (m.shape.length === 1 || (m.shape.length === 2 && m.shape[1] === 1)),
  );
  const notes: string[] = [];
  if (inspection.hasZipMap)
    notes.push(
      'the graph has a ZipMap (a sequence of maps), which cannot be served; its plain tensors are used' +
        (scoreOutputs.length === 0
          ? ': no probabilities (export with skl2onnx options={"zipmap": False} to get them)'
          : ''),
    );
  const graphLabels = inspection.classLabels;
  const classification = graphLabels !== undefined || labelOutputs.length > 0 || scoreOutputs.length > 0;
  if (!classification) {
    const outputsKey: Outputs = valueOutputs.length === 1 ? { value_output: valueOutputs[0]!.name } : {};
    if (valueOutputs.length === 1)
      return {
        task: 'regression',
        taskNote: `one float output '${valueOutputs[0]!.name}' and no classes`,
        outputs: outputsKey,
        notes,
      };
    return {
      task: undefined,
      taskNote: `the graph's outputs (${describe(outputs)}) show neither classes nor one value`,
      outputs: {},
      notes,
    };
  }
  const o: Outputs = {};
  // the graph's own class names: the server checks a manifest's list against them, so writing
  // them out costs nothing and shows the reader the order of the probabilities
  if (graphLabels && typeof graphLabels[0] === 'string') o.labels = graphLabels.map(String);
  if (labelOutputs.length === 1) o.label_output = labelOutputs[0]!.name;
  if (scoreOutputs.length === 1) o.scores_output = scoreOutputs[0]!.name;
  const width = scoreOutputs.length === 1 ? scoreOutputs[0]!.shape[1] : undefined;
  const classes = graphLabels?.length ?? (typeof width === 'number' ? width : undefined);
  const from = graphLabels
    ? `the graph declares ${graphLabels.length} classes`
    : typeof width === 'number'
      ? `output '${o.scores_output}' has ${width} score columns`
      : undefined;
  if (classes === undefined)
    return {
      task: undefined,
      taskNote: `a classifier, but the graph does not say how many classes (binary-classification or multiclass-classification)`,
      outputs: o,
      notes,
    };
  return {
    task: classes === 2 ? 'binary-classification' : 'multiclass-classification',
    taskNote: from!,
    outputs: o,
    ...(graphLabels ? { graphLabels } : {}),
    classes,
    notes,
  };
}

const describe = (outputs: readonly Meta[]) =>
  outputs
    .map((m) => (m.isTensor ? `'${m.name}' ${m.type}[${m.shape.join(', ')}]` : `'${m.name}' (not a tensor)`))
    .join(', ');
