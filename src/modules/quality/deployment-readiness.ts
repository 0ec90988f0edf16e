import type { PromotionResult } from './promotion-policy.js';

export const READINESS_VERDICTS = ['pass', 'warn', 'fail'] as const;
export type ReadinessVerdict = (typeof READINESS_VERDICTS)[number];

export interface ReadinessCheck {
  name: string;
  verdict: ReadinessVerdict;
  reason: string;
}

export interface Readiness {
  model: string;
  version: string;
  /** go: no check failed (warnings allowed) */
  go: boolean;
  checks: ReadinessCheck[];
}

/** What the checklist looks at, gathered by ReadinessService (no I/O here). */
export interface ReadinessFacts {
  model: string;
  version: string;
  task: string;
  /** the stored files re-hashed against the registered SHA-256 */
  integrity: { ok: boolean; mismatched: string[] } | { error: string };
  /** the manifest's smoke tests run against the loaded version */
  smoke: { tests: number; error?: string };
  /** the promotion policy against the version's evaluations; undefined: no policy configured */
  promotion: PromotionResult | undefined;
  evaluations: number;
  reference: boolean;
  card: { intended_use?: string; limitations?: string; ethical_considerations?: string };
  /** class labels and whether the manifest declared them (else read from the graph, or none) */
  labels: { names: string[] | undefined; declared: boolean };
  aliases: { production?: string; previous?: string };
  /** why a rollout could not start now (deployment window, freeze); undefined: it could */
  window: string | undefined;
}

const CARD_FIELDS = ['intended_use', 'limitations', 'ethical_considerations'] as const;

/**
 * The deployment-readiness checklist of a version as data, in a fixed order: each row pass, warn
 * or fail with its reason; go when nothing fails. Fail: the artifact does not match its hash,
 * a smoke test fails, the promotion policy refuses, outside a deployment window. Warn: what a
 * reviewer should see but that does not block (no smoke tests, no evaluation, no reference
 * profile, card fields "Not stated", labels not declared, nothing to roll back to).
 */
export function assessReadiness(f: ReadinessFacts): Readiness {
  const checks: ReadinessCheck[] = [];
  const add = (name: string, verdict: ReadinessVerdict, reason: string) =>
    checks.push({ name, verdict, reason });

  if ('error' in f.integrity) add('artifact hash', 'fail', `cannot verify: ${f.integrity.error}`);
  else if (f.integrity.ok) add('artifact hash', 'pass', 'every stored file matches its registered SHA-256');
  else add('artifact hash', 'fail', `SHA-256 mismatch: ${f.integrity.mismatched.join(', ')}`);

  if (f.smoke.error) add('smoke tests', 'fail', f.smoke.error);
  else if (f.smoke.tests === 0) add('smoke tests', 'warn', 'the manifest has no smoke_tests');
  else add('smoke tests', 'pass', `${f.smoke.tests} smoke test(s) pass on the loaded version`);

  if (!f.promotion) {
    add(
      'promotion policy',
      f.evaluations > 0 ? 'pass' : 'warn',
      f.evaluations > 0
        ? `no policy configured; ${f.evaluations} evaluation(s) on record`
        : 'no policy configured and no evaluation on record',
    );
  } else {
    const failing = f.promotion.checks.filter((c) => c.verdict === 'fail');
    if (failing.length === 0)
      add(
        'promotion policy',
        'pass',
        f.promotion.checks.map((c) => c.detail).join('; ') || 'no rule applies',
      );
    else add('promotion policy', 'fail', failing.map((c) => c.detail).join('; '));
  }

  add(
    'drift reference',
    f.reference ? 'pass' : 'warn',
    f.reference
      ? 'a reference profile is stored: drift is measured'
      : 'no reference_data: drift cannot be measured for this version',
  );

  const missing = CARD_FIELDS.filter((k) => !f.card[k]?.trim());
  add(
    'model card',
    missing.length === 0 ? 'pass' : 'warn',
    missing.length === 0
      ? 'intended use, limitations and ethical considerations stated'
      : `Not stated: ${missing.join(', ')}`,
  );

  if (f.task === 'regression') add('labels', 'pass', 'regression: no class labels');
  else if (!f.labels.names || f.labels.names.length === 0)
    add('labels', 'warn', 'no class labels: answers name classes by index');
  else
    add(
      'labels',
      f.labels.declared ? 'pass' : 'warn',
      `${f.labels.names.join(', ')}${f.labels.declared ? ' (declared in the manifest)' : ' (read from the graph, not declared: check their order)'}`,
    );

  const target = f.aliases.production === f.version ? f.aliases.previous : f.aliases.production;
  add(
    'rollback target',
    target ? 'pass' : 'warn',
    target
      ? `${f.model}@${target} ${f.aliases.production === f.version ? '(previous)' : '(production now)'} to roll back to`
      : 'nothing to roll back to: no other version has served',
  );

  add('deployment window', f.window ? 'fail' : 'pass', f.window ?? 'a rollout may start now');

  return { model: f.model, version: f.version, go: checks.every((c) => c.verdict !== 'fail'), checks };
}
