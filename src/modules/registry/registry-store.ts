import type { AuditInput } from '../audit/audit.js';
import type { Aliases, ModelSummary, ModelVersion } from './types.js';
import type { ReferenceRecord } from '../monitoring/reference-data.js';

/**
 * Persistence of models, versions and aliases. Each method is atomic, and every change writes its
 * audit event in the same transaction.
 */
export interface RegistryStore {
  getModel(name: string): Promise<{ name: string; createdAt: string } | undefined>;
  listModels(): Promise<ModelSummary[]>;
  getVersion(model: string, version: string): Promise<ModelVersion | undefined>;
  listVersions(model: string): Promise<ModelVersion[]>;
  /**
   * Inserts the version (and its model on first use) with its reference profile, if any. False
   * when (model, version) already exists.
   */
  insertVersion(v: ModelVersion, reference: ReferenceRecord | undefined, audit: AuditInput): Promise<boolean>;
  /** The reference profile registered with a version. */
  getReference(model: string, version: string): Promise<ReferenceRecord | undefined>;
  getAliases(model: string): Promise<Aliases>;
  /** Aliases of every model that has any. */
  allAliases(): Promise<Map<string, Aliases>>;
  /**
   * Replaces a model's aliases if they still equal `expected` (compare-and-set); otherwise throws
   * ALIAS_CONFLICT and changes nothing.
   */
  replaceAliases(model: string, expected: Aliases, next: Aliases, audit: AuditInput): Promise<void>;
}
