import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import type { BlobStore } from '../../store/blob-store.js';
import type { ActiveRolloutVersions } from './active-rollout-versions.js';
import type { ArtifactReference, LifecycleStore } from './lifecycle-store.js';
import type { RegistryStore } from './registry-store.js';
import type { Actor, ModelVersion } from './types.js';

export interface CollectorDeps {
  registry: RegistryStore;
  store: LifecycleStore;
  rollouts: ActiveRolloutVersions;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
}

export interface GcReport {
  applied: boolean;
  /** versions archived at or before this time were considered */
  cutoff: string;
  /** versions whose artifact is (or, on a dry run, would be) collected */
  versions: Array<{ model: string; version: string; archivedAt: string; bytes: number }>;
  /** old enough, but kept */
  kept: Array<{ model: string; version: string; why: 'alias' | 'rollout' | 'changed' }>;
  /** blobs deleted (or that would be), with their size */
  blobs: Array<{ sha256: string; bytes: number }>;
  /** total bytes freed (or that would be) */
  bytes: number;
}

/**
 * Garbage-collects the artifacts of versions archived longer than a retention period. A dry run
 * (the default) changes nothing and reports what an apply would delete. Never collects a version
 * an alias (production, staging, previous) or an active rollout references, and never deletes a
 * blob a version not collected still lists (artifacts are content-addressed and may be shared).
 *
 * Order on apply: mark the versions collected (each in its own transaction, rechecking the aliases
 * under the model's lock), then delete the blobs no uncollected version lists. A crash between the
 * two leaves blobs of collected versions behind; the next run finds and deletes them.
 */
export class ArtifactCollector {
  constructor(private readonly deps: CollectorDeps) {}

  async collect(input: { olderThanMs: number; apply: boolean; actor: Actor }): Promise<GcReport> {
    const now = this.deps.clock.now();
    const cutoff = new Date(now.getTime() - input.olderThanMs).toISOString();
    const [candidates, aliases, inRollouts] = await Promise.all([
      this.deps.store.archivedBefore(cutoff),
      this.deps.registry.allAliases(),
      this.deps.rollouts.versionsInActiveRollouts(),
    ]);
    const rolling = new Set(inRollouts.map((r) => key(r.model, r.version)));
    const kept: GcReport['kept'] = [];
    const chosen: ModelVersion[] = [];
    for (const v of candidates) {
      if (Object.values(aliases.get(v.model) ?? {}).includes(v.version))
        kept.push({ model: v.model, version: v.version, why: 'alias' });
      else if (rolling.has(key(v.model, v.version)))
        kept.push({ model: v.model, version: v.version, why: 'rollout' });
      else chosen.push(v);
    }

    let collected = chosen;
    if (input.apply) {
      collected = [];
      const at = now.toISOString();
      for (const v of chosen) {
        const marked = await this.deps.store.markCollected(v.model, v.version, at, {
          principal: input.actor.id,
          action: 'model.version.artifact_collected',
          model: v.model,
          version: v.version,
          before: { artifact: 'present' },
          after: { artifact: 'collected', files: v.files.map((f) => f.sha256) },
        });
        if (marked) collected.push(v);
        else kept.push({ model: v.model, version: v.version, why: 'changed' });
      }
    }

    // References are read after marking: a version registered meanwhile with the same bytes keeps them.
    const refs = await this.deps.store.artifactReferences();
    const doomed = input.apply ? new Set<string>() : new Set(chosen.map((v) => key(v.model, v.version)));
    const orphans = orphanBlobs(refs, doomed);
    const blobs: GcReport['blobs'] = [];
    for (const [sha256, size] of orphans) {
      const bytes = input.apply
        ? await this.deps.blobs.delete(sha256)
        : (await this.deps.blobs.has(sha256))
          ? size
          : 0;
      if (bytes > 0) blobs.push({ sha256, bytes });
    }
    const freed = new Map(blobs.map((b) => [b.sha256, b.bytes]));
    const report: GcReport = {
      applied: input.apply,
      cutoff,
      versions: collected.map((v) => ({
        model: v.model,
        version: v.version,
        archivedAt: v.lifecycle.changedAt ?? v.createdAt,
        bytes: [...new Set(v.files.map((f) => f.sha256))].reduce((n, sha) => n + (freed.get(sha) ?? 0), 0),
      })),
      kept,
      blobs,
      bytes: blobs.reduce((n, b) => n + b.bytes, 0),
    };
    this.deps.logger.info(
      {
        applied: input.apply,
        cutoff,
        versions: report.versions.length,
        blobs: blobs.length,
        bytes: report.bytes,
      },
      input.apply ? 'archived artifacts collected' : 'archived artifacts gc dry run',
    );
    return report;
  }
}

/**
 * Blobs listed only by collected versions (or by versions in `doomed`, for a dry run), with their
 * size as registered. A blob any other version lists is kept.
 */
export function orphanBlobs(
  refs: readonly ArtifactReference[],
  doomed: ReadonlySet<string>,
): Map<string, number> {
  const live = new Set<string>();
  const dead = new Map<string, number>();
  for (const r of refs) {
    const gone = r.collected || doomed.has(key(r.model, r.version));
    for (const f of r.files) {
      if (gone) dead.set(f.sha256, f.size);
      else live.add(f.sha256);
    }
  }
  for (const sha of live) dead.delete(sha);
  return dead;
}

function key(model: string, version: string): string {
  return `${model}\u0000${version}`;
}
