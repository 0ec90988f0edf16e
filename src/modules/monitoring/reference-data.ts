import { readCsvDataset } from '../datasets/csv-dataset.js';
import { predictRows, type RowModel } from '../datasets/predict-rows.js';
import type { Manifest } from '../registry/manifest.js';
import type { VersionSignature } from '../registry/types.js';
import { positiveLabel, predictionValueOf, type PredictionLike } from './prediction-value.js';
import { buildProfile, type Profile } from './reference-profile.js';

/** A version's reference data as stored: where it came from and its profile. */
export interface ReferenceRecord {
  /** the file's path as the manifest names it */
  path: string;
  dataSha256: string;
  rows: number;
  profile: Profile;
}

/** What reference profiling needs from the version being registered (loaded by serving). */
export interface CandidateModel extends RowModel<PredictionLike> {
  signature: VersionSignature;
}

/**
 * The reference profile of a version from its reference data (CSV with a header; one column per
 * feature, others ignored): every row must be valid input for the version, which predicts them
 * so the profile holds its outputs too. Errors are MANIFEST_INVALID naming the row.
 */
export async function profileReferenceData(
  path: string,
  bytes: Uint8Array,
  /** the SHA-256 of `bytes`, taken when they were staged */
  sha256: string,
  manifest: Manifest,
  model: CandidateModel,
): Promise<ReferenceRecord> {
  const what = `reference data '${path}'`;
  const { features } = model.signature;
  const { rows } = readCsvDataset(Buffer.from(bytes).toString('utf8'), features, {
    what,
    code: 'MANIFEST_INVALID',
  });
  const raw = await predictRows(model, rows, what, 'MANIFEST_INVALID');
  const valueOf = predictionValueOf(
    manifest.task,
    positiveLabel(manifest.outputs?.positive_label, model.signature.labels),
    raw.some((p) => p.probabilities !== undefined),
  );
  const predictions = raw.map(valueOf);
  const kinds = features.map((f) => ({
    name: f.name,
    kind: f.type === 'number' || f.type === 'integer' ? ('numeric' as const) : ('category' as const),
  }));
  return {
    path,
    dataSha256: sha256,
    rows: rows.length,
    profile: buildProfile(rows, kinds, predictions),
  };
}
