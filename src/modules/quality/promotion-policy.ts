/**
 * The promotion policy: rules a candidate version's offline evaluation must meet before it may
 * become the production version, either absolute (`roc_auc >= 0.95`) or relative to the current
 * production version evaluated on the same data (`log_loss <= production + 0.05`). Pure: the
 * caller loads the evaluations and turns a refusal into an HTTP error.
 */

export type PromotionOp = '>=' | '>' | '<=' | '<';

export interface PromotionRule {
  /** the rule as written, normalised: `roc_auc >= production - 0.01` */
  text: string;
  metric: string;
  op: PromotionOp;
  /** a fixed number, or production's value of the same metric plus a signed offset */
  bound: { kind: 'absolute'; value: number } | { kind: 'production'; offset: number };
}

/** What the checker needs of a stored evaluation (extra fields of a store row are fine). */
export interface EvaluationSummary {
  metrics: Readonly<Record<string, number | null>>;
  /** hash of the labelled data it was computed on: only same-data evaluations compare */
  data_sha256: string;
}

/** A version and its evaluation, if one was recorded. */
export interface PromotionSide {
  version: string;
  evaluation: EvaluationSummary | undefined;
}

export interface PromotionCheck {
  rule: string;
  metric: string;
  verdict: 'pass' | 'fail';
  candidate: number | null;
  /** the number the candidate was compared with; null when no comparison was made */
  threshold: number | null;
  /** a sentence for the user, e.g. "roc_auc 0.9123 is below the required 0.95" */
  detail: string;
}

export interface PromotionResult {
  allowed: boolean;
  checks: PromotionCheck[];
}

const OPS: readonly PromotionOp[] = ['>=', '<=', '>', '<']; // two-character ops first
const DECIMAL = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
/** a production margin: unsigned, its sign is the + or - before it */
const NUMBER = new RegExp(`^${DECIMAL}$`);
/** an absolute bound may be negative (an r2 floor below 0) */
const SIGNED = new RegExp(`^[+-]?${DECIMAL}$`);
const FORMS = '"<metric> <op> <number>" or "<metric> <op> production [+|-] <number>"';

/**
 * Parses `rule; rule; …`, each rule `<metric> <op> <number>` or `<metric> <op> production
 * [+|-] <number>`, with op one of >=, >, <=, <, metric names of [a-z0-9_], whitespace anywhere
 * between tokens. Blank text (or blank segments, such as after a trailing `;`) adds no rule.
 *
 * Example: "roc_auc>=0.95; log_loss <= production+0.05" → [roc_auc >= 0.95 (absolute),
 * log_loss <= production + 0.05 (offset +0.05)].
 *
 * Throws an Error naming the bad rule, its position and what was expected there, so a
 * misconfigured MODELGATE_PROMOTION_POLICY stops the process instead of letting anything through.
 */
export function parsePromotionPolicy(text: string): PromotionRule[] {
  const segments = text.split(';').map((s) => s.trim());
  return segments.flatMap((segment, i) => (segment === '' ? [] : [parseRule(segment, i + 1)]));
}

function parseRule(raw: string, position: number): PromotionRule {
  const invalid = (expected: string) =>
    new Error(`promotion policy rule ${position} "${raw}" is invalid: expected ${expected} (${FORMS})`);
  const metric = /^[a-z0-9_]+/.exec(raw)?.[0];
  if (metric === undefined) throw invalid('a metric name of a-z, 0-9 and _ first');
  const afterMetric = raw.slice(metric.length).trimStart();
  const op = OPS.find((o) => afterMetric.startsWith(o));
  if (op === undefined) throw invalid(`one of >=, >, <=, < after "${metric}", got "${afterMetric}"`);
  const rhs = afterMetric.slice(op.length).trim();
  if (SIGNED.test(rhs)) {
    const value = Number(rhs);
    return { text: `${metric} ${op} ${value}`, metric, op, bound: { kind: 'absolute', value } };
  }
  const relative = /^production(?:\s*([+-])\s*(\S+))?$/.exec(rhs);
  if (relative === null || (relative[2] !== undefined && !NUMBER.test(relative[2]))) {
    throw invalid(`a number or "production [+|-] <number>" after "${op}", got "${rhs}"`);
  }
  const sign = relative[1] === '-' ? -1 : 1;
  const margin = relative[2] === undefined ? 0 : Number(relative[2]);
  const offset = sign * margin;
  const suffix = margin === 0 ? '' : ` ${sign < 0 ? '-' : '+'} ${margin}`;
  return {
    text: `${metric} ${op} production${suffix}`,
    metric,
    op,
    bound: { kind: 'production', offset },
  };
}

/**
 * Checks a candidate against every rule; promotion is allowed when all pass. Per rule, in order:
 * 1. no evaluation of the candidate → fail (nothing to judge);
 * 2. the metric missing or null in the candidate's evaluation → fail;
 * 3. relative rules: no production version at all (first promotion) → pass, nothing to compare;
 *    production without an evaluation, evaluated on other data (data_sha256 differs) or without the
 *    metric → fail, since a comparison across different data is meaningless;
 * 4. compare: candidate op threshold, threshold = value or production's value + offset.
 *
 * Example: `roc_auc >= production - 0.01`, production 1.0.0 at 0.9948 and candidate at 0.9012 on
 * the same data → threshold 0.9848, fail: "roc_auc 0.9012 is worse than production 1.0.0 (0.9948)
 * by more than 0.01".
 */
export function checkPromotion(
  rules: readonly PromotionRule[],
  candidate: PromotionSide,
  production: PromotionSide | undefined,
): PromotionResult {
  const checks = rules.map((rule) => checkRule(rule, candidate, production));
  return { allowed: checks.every((c) => c.verdict === 'pass'), checks };
}

function checkRule(
  rule: PromotionRule,
  candidate: PromotionSide,
  production: PromotionSide | undefined,
): PromotionCheck {
  const result = (
    verdict: 'pass' | 'fail',
    value: number | null,
    threshold: number | null,
    detail: string,
  ) => ({
    rule: rule.text,
    metric: rule.metric,
    verdict,
    candidate: value,
    threshold,
    detail,
  });
  const { metric } = rule;
  const evaluation = candidate.evaluation;
  if (evaluation === undefined) {
    return result(
      'fail',
      null,
      null,
      `no evaluation of ${candidate.version} recorded; run \`modelgate models evaluate …\``,
    );
  }
  const value = evaluation.metrics[metric];
  if (value === undefined || value === null) {
    return result('fail', null, null, `the evaluation of ${candidate.version} ${lacks(evaluation, metric)}`);
  }
  if (rule.bound.kind === 'absolute') {
    const threshold = rule.bound.value;
    const ok = compare(value, rule.op, threshold);
    return result(
      ok ? 'pass' : 'fail',
      value,
      threshold,
      absoluteDetail(metric, rule.op, value, threshold, ok),
    );
  }
  if (production === undefined) return result('pass', value, null, 'no production version to compare with');
  const base = production.evaluation;
  if (base === undefined) {
    return result(
      'fail',
      value,
      null,
      `production ${production.version} has no evaluation recorded to compare with; evaluate it on the same data`,
    );
  }
  if (base.data_sha256 !== evaluation.data_sha256) {
    return result(
      'fail',
      value,
      null,
      `${candidate.version} and production ${production.version} were evaluated on different data (${short(evaluation.data_sha256)} vs ${short(base.data_sha256)}); comparisons on different data are meaningless, evaluate both on the same data`,
    );
  }
  const baseValue = base.metrics[metric];
  if (baseValue === undefined || baseValue === null) {
    return result(
      'fail',
      value,
      null,
      `the evaluation of production ${production.version} ${lacks(base, metric)}`,
    );
  }
  // rounded to 12 significant digits so that 0.9 - 0.01 is 0.89, not 0.8900000000000001
  const threshold = Number((baseValue + rule.bound.offset).toPrecision(12));
  const ok = compare(value, rule.op, threshold);
  const detail = ok
    ? `${metric} ${show(value, threshold)} ${rule.op} ${show(threshold, value)} (production ${production.version}: ${show(baseValue, value)})`
    : relativeFailure(metric, rule.op, rule.bound.offset, value, baseValue, production.version);
  return result(ok ? 'pass' : 'fail', value, threshold, detail);
}

/**
 * One line naming every failing rule, for a refused promotion's `detail`, e.g. "promotion policy
 * not met: roc_auc 0.9123 is below the required 0.95; log_loss …".
 */
export function summarise(result: PromotionResult): string {
  const failing = result.checks.filter((c) => c.verdict === 'fail');
  if (failing.length === 0) return `promotion policy met (${result.checks.length} rules pass)`;
  return `promotion policy not met: ${failing.map((c) => c.detail).join('; ')}`;
}

function compare(value: number, op: PromotionOp, threshold: number): boolean {
  if (op === '>=') return value >= threshold;
  if (op === '>') return value > threshold;
  if (op === '<=') return value <= threshold;
  return value < threshold;
}

function lacks(evaluation: EvaluationSummary, metric: string): string {
  const present = Object.keys(evaluation.metrics).filter((k) => evaluation.metrics[k] !== null);
  const has = present.length === 0 ? 'no metrics' : present.sort().join(', ');
  const state = metric in evaluation.metrics ? 'has no value for' : 'has no';
  return `${state} ${metric} (it has ${has})`;
}

function absoluteDetail(
  metric: string,
  op: PromotionOp,
  value: number,
  threshold: number,
  ok: boolean,
): string {
  const [v, t] = [show(value, threshold), show(threshold, value)];
  if (ok) return `${metric} ${v} ${op} ${t}`;
  const phrase = {
    '>=': 'is below the required',
    '>': 'is not above the required',
    '<=': 'is above the allowed',
    '<': 'is not below the allowed',
  }[op];
  return `${metric} ${v} ${phrase} ${t}`;
}

function relativeFailure(
  metric: string,
  op: PromotionOp,
  offset: number,
  value: number,
  base: number,
  version: string,
): string {
  const head = `${metric} ${show(value, base)}`;
  const prod = `production ${version} (${show(base, value)})`;
  const strict = op === '>' || op === '<';
  // how much worse than production the rule tolerates; negative means it demands an improvement
  const allowance = op === '>=' || op === '>' ? -offset : offset;
  if (allowance > 0)
    return `${head} is worse than ${prod} by ${strict ? `${allowance} or more` : `more than ${allowance}`}`;
  if (allowance < 0)
    return `${head} does not improve on ${prod} by ${strict ? 'more than' : 'at least'} ${-allowance}`;
  const phrase = { '>=': 'is below', '>': 'is not above', '<=': 'is above', '<': 'is not below' }[op];
  return `${head} ${phrase} ${prod}`;
}

/** `value` to 4 decimals, or more when needed to tell it apart from `other` (0.94996 vs 0.95). */
function show(value: number, other: number): string {
  for (let digits = 4; digits < 12; digits++) {
    const a = Number(value.toFixed(digits));
    if (a !== Number(other.toFixed(digits)) || value === other) return String(a);
  }
  return String(value);
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
