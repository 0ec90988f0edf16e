import type { Evaluation } from '../quality/evaluation-store.js';
import type { ReferenceRecord } from '../monitoring/reference-data.js';
import { lifecycleView } from '../registry/lifecycle-view.js';
import { ALIASES, type Aliases, type ModelVersion } from '../registry/types.js';
import type { ModelCardData } from './model-card.js';

/** Everything a model card shows, gathered from the registry, the evaluations and the reference profile. */
export function modelCardData(
  v: ModelVersion,
  aliases: Aliases,
  evaluations: readonly Evaluation[],
  reference: ReferenceRecord | undefined,
): ModelCardData {
  const m = v.manifest;
  const optional = {
    description: m.description,
    intended_use: m.intended_use,
    limitations: m.limitations,
    ethical_considerations: m.ethical_considerations,
    training_data_version: m.training_data_version,
    algorithm: m.algorithm,
    framework: m.framework,
    trainer: m.trainer,
    git_commit: m.git_commit,
  };
  return {
    model: v.model,
    version: v.version,
    display_id: v.displayId,
    task: v.task,
    ...(Object.fromEntries(Object.entries(optional).filter(([, x]) => x !== undefined)) as Partial<
      typeof optional
    >),
    changelog: m.changelog,
    created_at: v.createdAt,
    created_by: v.createdBy,
    artifact_sha256: v.artifactSha256,
    manifest_sha256: v.manifestSha256,
    files: v.files,
    aliases: ALIASES.filter((a) => aliases[a] === v.version),
    lifecycle: lifecycleView(v),
    features: v.signature.features,
    ...(v.signature.labels ? { labels: v.signature.labels } : {}),
    declared_metrics: m.metrics ?? {},
    evaluations: evaluations.map((e) => ({
      id: e.id,
      created_at: e.createdAt,
      created_by: e.createdBy,
      data_sha256: e.dataSha256,
      data_name: e.dataName,
      rows: e.rows,
      label_column: e.labelColumn,
      metrics: e.metrics,
    })),
    reference: reference ? referenceSummary(reference) : null,
  };
}

function referenceSummary(r: ReferenceRecord): NonNullable<ModelCardData['reference']> {
  const top = (shares: Record<string, number>) =>
    Object.entries(shares)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k]) => k);
  return {
    rows: r.rows,
    data_sha256: r.dataSha256,
    features: Object.entries(r.profile.features).map(([name, p]) =>
      p.kind === 'numeric'
        ? {
            name,
            kind: p.kind,
            missing_share: p.missing_share,
            mean: p.mean,
            std: p.std,
            min: p.min,
            max: p.max,
          }
        : { name, kind: p.kind, missing_share: p.missing_share, top_categories: top(p.shares) },
    ),
    prediction:
      r.profile.prediction.kind === 'numeric'
        ? { kind: 'numeric', mean: r.profile.prediction.mean, std: r.profile.prediction.std }
        : { kind: 'category', top_categories: top(r.profile.prediction.shares) },
  };
}
