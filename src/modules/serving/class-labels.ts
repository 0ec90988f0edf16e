import { AppError } from '../../shared/errors.js';
import type { DeclaredLabels } from '../registry/manifest.js';

/**
 * The class names of a classifier, in score-column order, from the manifest's `outputs.labels`
 * and what the ONNX graph says about its classes (docs/manifest.md, "Class labels"):
 *
 * - string class labels in the graph (`classlabels_strings`, ZipMap keys): they are the names, and
 *   the manifest may only repeat them, same list, same order. A manifest that lists the iris
 *   classes reversed would otherwise answer `virginica` for every setosa.
 * - integer class ids (`classlabels_int64s`): the manifest names them, a list by position in the
 *   graph's order (`[malignant, benign]` for ids `[0, 1]`) or a map from id to name; a list that
 *   is the ids themselves in another order is refused.
 * - nothing (a plain softmax): a list names the score columns in order, a map names them by index.
 *
 * `classCount` is the width of the score output, when there is one.
 */
export function settleLabels(
  declared: DeclaredLabels | undefined,
  fromModel: ReadonlyArray<string | number> | undefined,
  classCount: number | undefined,
): string[] {
  const labels =
    fromModel && fromModel.every((c) => typeof c === 'string')
      ? namedByModel(declared, fromModel)
      : fromModel
        ? namedIds(declared, fromModel.map(Number))
        : namedColumns(declared, classCount);
  if (classCount !== undefined && labels.length !== classCount) {
    const what = declared ? 'outputs.labels lists' : 'the model declares';
    throw invalid(`${what} ${labels.length} classes but the model scores ${classCount}`);
  }
  return labels;
}

function namedByModel(declared: DeclaredLabels | undefined, classes: readonly string[]): string[] {
  if (declared === undefined) return [...classes];
  if (!Array.isArray(declared)) {
    throw invalid(
      `the model names its classes itself (${show(classes)}): list them in that order as outputs.labels, not as a map`,
    );
  }
  const names = declared.map(String);
  const at = firstDifference(names, classes);
  if (at !== undefined) {
    throw invalid(
      `outputs.labels ${show(names)} are not the model's classes in its order ${show(classes)}` +
        ` (position ${at}: '${names[at] ?? '(none)'}' where the model has '${classes[at] ?? '(none)'}');` +
        ' list them exactly as the model does, or leave outputs.labels out',
    );
  }
  return names;
}

function namedIds(declared: DeclaredLabels | undefined, ids: readonly number[]): string[] {
  if (declared === undefined) return ids.map(String);
  if (!Array.isArray(declared)) return byKey(declared, ids, 'ids', 'the model declares class ids');
  const names = declared.map(String);
  const idNames = ids.map(String);
  const sameSet = names.length === idNames.length && idNames.every((id) => names.includes(id));
  if (sameSet && firstDifference(names, idNames) !== undefined) {
    throw invalid(
      `outputs.labels ${show(names)} are the model's class ids in another order than its own ${show(idNames)}:` +
        ` list names in the order ${show(idNames)}, or map each id to its name`,
    );
  }
  if (names.length !== ids.length) {
    throw invalid(
      `outputs.labels lists ${names.length} classes but the model declares ${ids.length} (ids ${show(idNames)})`,
    );
  }
  return names;
}

function namedColumns(declared: DeclaredLabels | undefined, classCount: number | undefined): string[] {
  if (declared === undefined) {
    if (classCount === undefined) throw invalid('cannot tell the classes: list them under outputs.labels');
    return Array.from({ length: classCount }, (_, i) => String(i));
  }
  if (Array.isArray(declared)) return declared.map(String);
  const columns = classCount ?? Object.keys(declared).length;
  const indices = Array.from({ length: columns }, (_, i) => i);
  return byKey(declared, indices, 'columns', 'the score output has columns');
}

/** A map's names in the order of `keys`, when its keys are exactly those. */
function byKey(map: Record<string, string>, keys: readonly number[], what: string, theirs: string): string[] {
  const mapped = Object.keys(map)
    .map(Number)
    .sort((a, b) => a - b);
  const wanted = [...keys].sort((a, b) => a - b);
  if (firstDifference(mapped, wanted) !== undefined) {
    throw invalid(`outputs.labels maps ${what} ${show(mapped)} but ${theirs} ${show(keys)}`);
  }
  return keys.map((k) => map[String(k)]!);
}

function firstDifference<T>(a: readonly T[], b: readonly T[]): number | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return undefined;
}

const SHOWN = 20;

/** `[a, b, c]`, shortened after 20 entries. */
function show(list: ReadonlyArray<string | number>): string {
  if (list.length <= SHOWN) return `[${list.join(', ')}]`;
  return `[${list.slice(0, SHOWN).join(', ')}, … (${list.length} in all)]`;
}

const invalid = (detail: string) => new AppError('ARTIFACT_INVALID', detail);
