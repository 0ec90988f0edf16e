import { ModelgateLocalError } from '../../client/local-files.js';

export interface LabelMatch {
  /**
   * What to write as `outputs.labels`: a map from class id (or score column) to name when the
   * names came from the CSV, the graph's own list when it names its classes, undefined when the
   * classes are ids and the CSV holds the same ids.
   */
  labels?: Record<string, string> | string[];
  /** share of rows whose CSV label is the model's prediction under this naming */
  agreement: number;
  rows: number;
}

/**
 * Names the model's classes from a labelled sample, and catches a naming in another order. For
 * each class the model predicts, the CSV value most of its rows carry is its name. When the CSV
 * holds the model's own class names (or ids), each class must be its own best match: a sample
 * whose "setosa" rows the model calls "virginica" means the two are swapped somewhere (in the
 * training labels, the export, or the CSV) and the manifest would answer with the wrong class.
 * When the CSV holds names for integer ids (or for score columns), the best matches must pair
 * every class with a distinct name.
 *
 * Example: ids [0, 1], rows predicted 0 carry "malignant" 52 times and "benign" 2 times, rows
 * predicted 1 carry "benign" 86 times and "malignant" 3 times → {0: malignant, 1: benign},
 * agreement 138/143 = 0.965.
 */
export function matchLabels(
  classes: readonly string[],
  graphNamesClasses: boolean,
  predicted: readonly string[],
  actual: readonly string[],
  source: string,
): LabelMatch {
  const fail = (detail: string) => new ModelgateLocalError('INPUT_INVALID', `${source}: ${detail}`, source);
  const counts = new Map<string, Map<string, number>>(classes.map((c) => [c, new Map()]));
  predicted.forEach((p, i) => {
    const row = counts.get(p);
    const a = actual[i]!;
    if (row) row.set(a, (row.get(a) ?? 0) + 1);
  });
  const best = (c: string): [string, number] | undefined =>
    [...counts.get(c)!].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0];
  const names = [...new Set(actual)];
  const ownNames = names.every((n) => classes.includes(n));
  const agreementOf = (nameOf: (c: string) => string | undefined) =>
    predicted.filter((p, i) => nameOf(p) === actual[i]).length / Math.max(1, predicted.length);

  if (graphNamesClasses || ownNames) {
    const foreign = names.filter((n) => !classes.includes(n));
    if (foreign.length > 0)
      throw fail(
        `${quote(foreign.slice(0, 5))} ${foreign.length > 1 ? 'are' : 'is'} not among the model's classes (${quote(classes)})`,
      );
    for (const c of classes) {
      const b = best(c);
      if (b && b[0] !== c && b[1] > (counts.get(c)!.get(c) ?? 0))
        throw fail(
          `label order mismatch: of the ${total(counts.get(c)!)} rows the model predicts as '${c}', ${b[1]} are labelled '${b[0]}' and ${counts.get(c)!.get(c) ?? 0} '${c}'; the labels are in another order than the model's classes (${quote(classes)})`,
        );
    }
    return {
      ...(graphNamesClasses && !/^-?\d+$/.test(classes[0] ?? '') ? { labels: [...classes] } : {}),
      agreement: agreementOf((c) => c),
      rows: predicted.length,
    };
  }
  if (names.length !== classes.length)
    throw fail(
      `the column has ${names.length} distinct labels (${quote(names.slice(0, 10))}) but the model has ${classes.length} classes`,
    );
  const map: Record<string, string> = {};
  const taken = new Map<string, string>();
  for (const c of classes) {
    const b = best(c);
    if (!b)
      throw fail(
        `no row is predicted as class ${c}, so its name cannot be told: use a sample with every class`,
      );
    const other = taken.get(b[0]);
    if (other !== undefined)
      throw fail(
        `classes ${other} and ${c} both match '${b[0]}' best: the model and the labels disagree too much to name its classes`,
      );
    taken.set(b[0], c);
    map[c] = b[0];
  }
  return { labels: map, agreement: agreementOf((c) => map[c]), rows: predicted.length };
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const quote = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
