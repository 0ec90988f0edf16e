import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Logger } from 'pino';
import { canonicalJson } from '../../shared/canonical-json.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { KeyedMutex } from '../../shared/keyed-mutex.js';
import { discardStaged, sha256Hex, type BlobStore, type StagedFile } from '../../store/blob-store.js';
import { artifactDigest, checkArtifact, type FileCheck } from './artifact-set.js';
import type { Manifest } from './manifest.js';
import { refuseArchived } from './refuse-archived.js';
import type { RegistryStore } from './registry-store.js';
import type {
  Actor,
  AliasName,
  Aliases,
  ArtifactFile,
  ModelSummary,
  ModelVersion,
  VersionSignature,
} from './types.js';
import { ACTIVE_LIFECYCLE } from './types.js';
import { validateManifest } from './validate-manifest.js';
import {
  profileReferenceData,
  type CandidateModel,
  type ReferenceRecord,
} from '../monitoring/reference-data.js';

/** What the registry needs from serving; implemented by the serving module, wired in main.ts. */
export interface ServingPort {
  /**
   * Loads a candidate from its bytes to prove it can serve (warm-up, smoke tests), hands it to
   * `use` (reference profiling) if given, then frees it.
   */
  check(
    candidate: {
      model: string;
      version: string;
      artifactSha256: string;
      manifest: Manifest;
      files: ReadonlyMap<string, Uint8Array>;
      mainPath: string;
    },
    use?: (model: CandidateModel) => Promise<void>,
  ): Promise<VersionSignature>;
  /** Makes a registered version ready for traffic: verified, loaded, warmed, smoke-tested. */
  prepare(version: ModelVersion): Promise<void>;
  /** Points serving at a model's new aliases. */
  activate(model: string, aliases: Aliases): Promise<void>;
}

/**
 * Tells other replicas what is about to change, so they can prepare (ADR 0010); implemented over
 * the change log, wired in main.ts. A hint is only an optimisation: losing one costs speed.
 */
export interface ChangeHints {
  /** `version` of `model` is about to become production: load it ahead. */
  warm(model: string, version: string): Promise<void>;
}

export interface RegisterInput {
  /** Parsed manifest (JSON or YAML), not yet validated. */
  manifest: unknown;
  /** Uploaded files by their path relative to the manifest's folder. */
  files: ReadonlyMap<string, StagedFile>;
  actor: Actor;
  /** When registering through /v1/models/{name}/versions: the name in the path. */
  expectedName?: string;
}

export interface RegistryDeps {
  /** largest reference data file profiled at registration (it is read whole) */
  maxReferenceBytes?: number;
  store: RegistryStore;
  blobs: BlobStore;
  serving: ServingPort;
  hints?: ChangeHints | undefined;
  clock: Clock;
  logger: Logger;
}

export class RegistryService {
  readonly #mutex = new KeyedMutex();

  constructor(private readonly deps: RegistryDeps) {}

  /**
   * Registers a version: validates the manifest, proves the artifact serves (load, warm-up, smoke
   * tests), stores the files content-addressed, then records the version. (name, version) is
   * immutable: the same content again returns the existing version, other content is a 409.
   */
  async register(input: RegisterInput): Promise<{ version: ModelVersion; created: boolean }> {
    const staged = new Set(input.files.values());
    try {
      const manifest = validateManifest(input.manifest);
      if (input.expectedName !== undefined && manifest.name !== input.expectedName) {
        throw new AppError(
          'MANIFEST_INVALID',
          `the manifest names model '${manifest.name}', but the request is for '${input.expectedName}'`,
          {
            errors: [{ pointer: '/name', detail: `must be '${input.expectedName}'` }],
          },
        );
      }
      const { files, stagedByPath } = artifactSet(manifest, input.files);
      const manifestSha256 = sha256Hex(canonicalJson(manifest));
      const artifactSha256 = artifactDigest(files);

      const referenceFile = manifest.reference_data ? input.files.get(manifest.reference_data) : undefined;
      const maxReference = this.deps.maxReferenceBytes ?? Infinity;
      if (referenceFile && referenceFile.size > maxReference) {
        throw new AppError(
          'MANIFEST_INVALID',
          `reference data '${manifest.reference_data}' is ${referenceFile.size} bytes; at most ${maxReference} are profiled (MODELGATE_MAX_DATA_BYTES): send a sample`,
          { errors: [{ pointer: '/reference_data', detail: `larger than ${maxReference} bytes` }] },
        );
      }
      const referenceSha256 = referenceFile?.sha256;
      const existing = await this.deps.store.getVersion(manifest.name, manifest.version);
      if (existing) {
        return {
          version: await this.#sameOrConflict(existing, artifactSha256, manifestSha256, referenceSha256),
          created: false,
        };
      }

      const bytes = new Map<string, Uint8Array>();
      for (const [path, file] of stagedByPath) bytes.set(path, await readFile(file.path));
      let reference: ReferenceRecord | undefined;
      const signature = await this.deps.serving.check(
        {
          model: manifest.name,
          version: manifest.version,
          artifactSha256,
          manifest,
          files: bytes,
          mainPath: files[0]!.path,
        },
        referenceFile &&
          (async (model) => {
            const data = await readFile(referenceFile.path);
            reference = await profileReferenceData(
              manifest.reference_data!,
              data,
              referenceFile.sha256,
              manifest,
              model,
            );
          }),
      );

      for (const file of stagedByPath.values()) {
        await this.deps.blobs.put(file);
        staged.delete(file);
      }
      const now = this.deps.clock.now();
      const version: ModelVersion = {
        model: manifest.name,
        version: manifest.version,
        displayId: displayId(manifest.name, manifest.version, now),
        artifactSha256,
        manifestSha256,
        files,
        manifest,
        signature,
        task: manifest.task,
        createdAt: now.toISOString(),
        createdBy: input.actor.id,
        lifecycle: ACTIVE_LIFECYCLE,
      };
      const inserted = await this.deps.store.insertVersion(version, reference, {
        principal: input.actor.id,
        action: 'model.version.registered',
        model: version.model,
        version: version.version,
        after: {
          artifact_sha256: artifactSha256,
          files: files.map((f) => ({ path: f.path, sha256: f.sha256 })),
        },
      });
      if (!inserted) {
        // Lost a race with an identical or conflicting registration of the same (name, version).
        const winner = await this.deps.store.getVersion(version.model, version.version);
        return {
          version: await this.#sameOrConflict(winner!, artifactSha256, manifestSha256, referenceSha256),
          created: false,
        };
      }
      this.deps.logger.info(
        { model: version.model, version: version.version, artifact_sha256: artifactSha256 },
        'model version registered',
      );
      return { version, created: true };
    } finally {
      await discardStaged(staged);
    }
  }

  listModels(): Promise<ModelSummary[]> {
    return this.deps.store.listModels();
  }

  async getModel(name: string): Promise<{ summary: ModelSummary; versions: ModelVersion[] }> {
    const summary = (await this.deps.store.listModels()).find((m) => m.name === name);
    if (!summary) throw modelNotFound(name);
    return { summary, versions: await this.deps.store.listVersions(name) };
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    await this.requireModel(name);
    return this.deps.store.listVersions(name);
  }

  async getVersion(name: string, version: string): Promise<ModelVersion> {
    const v = await this.deps.store.getVersion(name, version);
    if (v) return v;
    await this.requireModel(name);
    throw new AppError('VERSION_NOT_FOUND', `model '${name}' has no version '${version}'`);
  }

  /** The reference profile registered with a version, if it had reference data. */
  async getReference(name: string, version: string): Promise<ReferenceRecord | undefined> {
    await this.getVersion(name, version);
    return this.deps.store.getReference(name, version);
  }

  async getAliases(name: string): Promise<Aliases> {
    await this.requireModel(name);
    return this.deps.store.getAliases(name);
  }

  /**
   * Makes `version` the production version. The candidate is loaded, verified and warmed first;
   * only then do the aliases move (production = version, previous = old production) and serving
   * switches. If anything fails before the move, nothing changes and the old version keeps serving.
   */
  async promote(
    name: string,
    version: string,
    actor: Actor,
  ): Promise<{ aliases: Aliases; changed: boolean }> {
    const target = await this.getVersion(name, version);
    refuseArchived(target, 'be promoted');
    return this.#mutex.run(name, async () => {
      const current = await this.deps.store.getAliases(name);
      if (current.production === version) return { aliases: current, changed: false };
      const next: Aliases = { ...current, production: version };
      if (current.production) next.previous = current.production;
      await this.#move(target, current, next, actor, 'model.promoted');
      return { aliases: next, changed: true };
    });
  }

  /** Production goes back to `previous` (or to `to`), and the version it replaces becomes `previous`. */
  async rollback(name: string, actor: Actor, to?: string): Promise<{ aliases: Aliases; changed: boolean }> {
    await this.requireModel(name);
    return this.#mutex.run(name, async () => {
      const current = await this.deps.store.getAliases(name);
      const targetVersion = to ?? current.previous;
      if (!targetVersion) {
        throw new AppError(
          'NO_PREVIOUS_VERSION',
          `model '${name}' has no previous version; name one with 'to'`,
        );
      }
      if (targetVersion === current.production) return { aliases: current, changed: false };
      const target = await this.getVersion(name, targetVersion);
      refuseArchived(target, 'take production');
      const next: Aliases = { ...current, production: targetVersion };
      if (current.production) next.previous = current.production;
      else delete next.previous;
      await this.#move(target, current, next, actor, 'model.rolled_back');
      return { aliases: next, changed: true };
    });
  }

  /** Sets or clears an alias that does not route traffic (`staging`). */
  async setAlias(name: string, alias: AliasName, version: string | null, actor: Actor): Promise<Aliases> {
    if (alias !== 'staging') {
      throw new AppError('VALIDATION_FAILED', `'${alias}' moves only through promote and rollback`, {
        errors: [{ pointer: '/alias', detail: 'only staging can be set directly' }],
      });
    }
    if (version !== null) refuseArchived(await this.getVersion(name, version), 'be staged');
    else await this.requireModel(name);
    return this.#mutex.run(name, async () => {
      const current = await this.deps.store.getAliases(name);
      const next: Aliases = { ...current };
      if (version === null) delete next.staging;
      else next.staging = version;
      await this.deps.store.replaceAliases(name, current, next, {
        principal: actor.id,
        action: 'model.alias.set',
        model: name,
        ...(version !== null ? { version } : {}),
        before: current,
        after: next,
      });
      return next;
    });
  }

  /** Re-hashes every stored file of a version against its registered SHA-256. */
  async verify(
    name: string,
    version: string,
  ): Promise<{ version: ModelVersion; ok: boolean; files: FileCheck[] }> {
    const v = await this.getVersion(name, version);
    const files = await checkArtifact(this.deps.blobs, v);
    return { version: v, ok: files.every((f) => f.ok), files };
  }

  async #move(
    target: ModelVersion,
    current: Aliases,
    next: Aliases,
    actor: Actor,
    action: 'model.promoted' | 'model.rolled_back',
  ): Promise<void> {
    // other replicas load the target while this one does, so their switch after the commit is quick
    const hinted = this.deps.hints
      ?.warm(target.model, target.version)
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'warm hint not recorded'));
    try {
      await this.deps.serving.prepare(target);
    } finally {
      await hinted;
    }
    await this.deps.store.replaceAliases(target.model, current, next, {
      principal: actor.id,
      action,
      model: target.model,
      version: target.version,
      before: current,
      after: next,
    });
    await this.deps.serving.activate(target.model, next);
    this.deps.logger.info(
      { model: target.model, version: target.version, action, before: current, after: next },
      'aliases moved',
    );
  }

  /** An existing version when this registration is the same one, else 409 (compared with its stored reference data). */
  async #sameOrConflict(
    existing: ModelVersion,
    artifactSha256: string,
    manifestSha256: string,
    referenceSha256: string | undefined,
  ): Promise<ModelVersion> {
    const stored = await this.deps.store.getReference(existing.model, existing.version);
    return sameOrConflict(existing, artifactSha256, manifestSha256, stored?.dataSha256, referenceSha256);
  }

  private async requireModel(name: string): Promise<void> {
    if (!(await this.deps.store.getModel(name))) throw modelNotFound(name);
  }
}

function modelNotFound(name: string): AppError {
  return new AppError('MODEL_NOT_FOUND', `model '${name}' is not registered`);
}

function sameOrConflict(
  existing: ModelVersion,
  artifactSha256: string,
  manifestSha256: string,
  storedReferenceSha256: string | undefined,
  referenceSha256: string | undefined,
): ModelVersion {
  if (existing.artifactSha256 !== artifactSha256) {
    throw new AppError(
      'VERSION_EXISTS',
      `${existing.model} ${existing.version} is registered with artifact ${existing.artifactSha256}; this one is ${artifactSha256}. Versions are immutable: register a new version`,
    );
  }
  if (existing.manifestSha256 !== manifestSha256) {
    throw new AppError(
      'VERSION_EXISTS',
      `${existing.model} ${existing.version} is registered with the same artifact but another manifest. Versions are immutable: register a new version`,
    );
  }
  if (storedReferenceSha256 !== referenceSha256) {
    throw new AppError(
      'VERSION_EXISTS',
      `${existing.model} ${existing.version} is registered with ${storedReferenceSha256 ? `reference data ${storedReferenceSha256}` : 'no reference data'}; this one has ${referenceSha256 ?? 'none'}. Versions are immutable: register a new version`,
    );
  }
  return existing;
}

/** Maps the manifest's files onto the uploads; paths in the set are relative to the model file's folder. */
function artifactSet(
  manifest: Manifest,
  uploads: ReadonlyMap<string, StagedFile>,
): { files: ArtifactFile[]; stagedByPath: Map<string, StagedFile> } {
  const dir = posix.dirname(manifest.artifact);
  const listed = [manifest.artifact, ...(manifest.external_data ?? [])];
  const allowed = new Set([...listed, ...(manifest.reference_data ? [manifest.reference_data] : [])]);
  const errors = listed
    .map((p, i) =>
      uploads.has(p)
        ? undefined
        : {
            pointer: i === 0 ? '/artifact' : `/external_data/${i - 1}`,
            detail: `file '${p}' was not provided`,
          },
    )
    .filter((e) => e !== undefined);
  if (manifest.reference_data && !uploads.has(manifest.reference_data)) {
    errors.push({ pointer: '/reference_data', detail: `file '${manifest.reference_data}' was not provided` });
  }
  for (const path of uploads.keys()) {
    if (!allowed.has(path))
      errors.push({ pointer: '', detail: `file '${path}' was provided but the manifest does not list it` });
  }
  if (errors.length > 0) throw new AppError('MANIFEST_INVALID', errors[0]!.detail, { errors });
  const stagedByPath = new Map<string, StagedFile>();
  const files = listed.map((p, i): ArtifactFile => {
    const staged = uploads.get(p)!;
    const path = posix.relative(dir, p);
    stagedByPath.set(path, staged);
    return { path, sha256: staged.sha256, size: staged.size, role: i === 0 ? 'model' : 'external_data' };
  });
  return { files, stagedByPath };
}

function displayId(model: string, version: string, at: Date): string {
  const iso = at.toISOString();
  return `${model}-v${version}-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 16).replace(':', '')}`;
}
