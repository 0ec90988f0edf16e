import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import type { AuditAction } from '../audit/audit.js';
import type { ActiveRolloutVersions } from './active-rollout-versions.js';
import type { LifecycleStore } from './lifecycle-store.js';
import type { RegistryStore } from './registry-store.js';
import type { Actor, LifecycleState, ModelVersion } from './types.js';

export interface LifecycleDeps {
  registry: RegistryStore;
  store: LifecycleStore;
  rollouts: ActiveRolloutVersions;
  clock: Clock;
  logger: Logger;
  /**
   * How old the in-memory list of deprecated versions may get before a prediction triggers a
   * reload (in the background; the answer does not wait). Other replicas see a deprecation within
   * this time; this replica sees its own at once.
   */
  deprecationRefreshMs?: number;
}

export interface Deprecation {
  /** when the version was deprecated (ISO) */
  since: string;
  reason: string | null;
}

type Transition = 'deprecate' | 'archive' | 'restore';

const TARGET: Record<Transition, LifecycleState> = {
  deprecate: 'deprecated',
  archive: 'archived',
  restore: 'active',
};
const ACTION: Record<Transition, AuditAction> = {
  deprecate: 'model.version.deprecated',
  archive: 'model.version.archived',
  restore: 'model.version.restored',
};

/**
 * Deprecates, archives and restores versions (see LIFECYCLE_STATES), and answers, without I/O on
 * the prediction path, whether a version is deprecated. Archiving refuses a version that
 * production or staging points at (checked in the store's transaction) or that an active rollout
 * uses.
 */
export class LifecycleService {
  #deprecated = new Map<string, Deprecation>();
  #loadedAt = -Infinity;
  #loading: Promise<void> | undefined;

  constructor(private readonly deps: LifecycleDeps) {}

  deprecate(model: string, version: string, reason: string, actor: Actor) {
    return this.#change('deprecate', model, version, reason, actor);
  }

  archive(model: string, version: string, reason: string, actor: Actor) {
    return this.#change('archive', model, version, reason, actor);
  }

  restore(model: string, version: string, reason: string, actor: Actor) {
    return this.#change('restore', model, version, reason, actor);
  }

  /** The deprecation of a version, from memory; reloads in the background when stale. */
  deprecation(model: string, version: string): Deprecation | undefined {
    const ttl = this.deps.deprecationRefreshMs ?? 5000;
    if (this.deps.clock.now().getTime() - this.#loadedAt > ttl) void this.reload();
    return this.#deprecated.get(key(model, version));
  }

  /** Reloads the deprecated versions (at start, after a change, and when stale). Never throws. */
  reload(): Promise<void> {
    this.#loading ??= this.deps.store
      .deprecatedVersions()
      .then((list) => {
        this.#deprecated = new Map(list.map((d) => [key(d.model, d.version), d]));
        this.#loadedAt = this.deps.clock.now().getTime();
      })
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'deprecated versions not reloaded'))
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #change(
    transition: Transition,
    model: string,
    version: string,
    reason: string,
    actor: Actor,
  ): Promise<{ version: ModelVersion; changed: boolean }> {
    const current = await this.#version(model, version);
    const from = current.lifecycle.state;
    const to = TARGET[transition];
    if (from === to) return { version: current, changed: false };
    if (current.lifecycle.artifactCollectedAt !== null) {
      throw new AppError(
        'ARTIFACT_COLLECTED',
        `${model} ${version}'s artifact was garbage-collected at ${current.lifecycle.artifactCollectedAt}: it stays archived; register its files again as a new version`,
      );
    }
    if (transition === 'deprecate' && from === 'archived') {
      throw new AppError(
        'VERSION_ARCHIVED',
        `${model} ${version} is archived; restore it before deprecating it`,
      );
    }
    if (transition === 'archive') await this.#refuseInRollout(model, version);
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.changeLifecycle(
      model,
      version,
      from,
      { state: to, reason, at, by: actor.id },
      {
        principal: actor.id,
        action: ACTION[transition],
        model,
        version,
        before: { lifecycle: from, reason: current.lifecycle.reason },
        after: { lifecycle: to, reason },
      },
    );
    this.deps.logger.info({ model, version, from, to, reason }, `model version ${TARGET[transition]}`);
    await this.reload();
    return { version: (await this.deps.registry.getVersion(model, version))!, changed: true };
  }

  async #version(model: string, version: string): Promise<ModelVersion> {
    const v = await this.deps.registry.getVersion(model, version);
    if (v) return v;
    if (!(await this.deps.registry.getModel(model)))
      throw new AppError('MODEL_NOT_FOUND', `model '${model}' is not registered`);
    throw new AppError('VERSION_NOT_FOUND', `model '${model}' has no version '${version}'`);
  }

  async #refuseInRollout(model: string, version: string): Promise<void> {
    const used = await this.deps.rollouts.versionsInActiveRollouts(model);
    if (used.some((u) => u.version === version)) {
      throw new AppError(
        'VERSION_IN_USE',
        `${model} ${version} is in an active rollout: let it finish or abort it, then archive the version`,
      );
    }
  }
}

function key(model: string, version: string): string {
  return `${model}\u0000${version}`;
}
