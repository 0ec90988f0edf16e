import { positiveLabel } from '../monitoring/prediction-value.js';
import { posix } from 'node:path';
import { InferenceSession, type OnnxValue } from 'onnxruntime-node';
import { AppError } from '../../shared/errors.js';
import type { Manifest } from '../registry/manifest.js';
import { isSafeRelativePath } from '../registry/validate-manifest.js';
import { encodeInstances } from './input-codec.js';
import { compileInstanceValidator } from './instance-validator.js';
import { DEFAULT_BATCH_OPTIONS, type BatchOptions } from './batcher.js';
import { LoadedModel, type BatchObserver, type VersionIdentity } from './loaded-model.js';
import { inspectOnnx, OnnxFormatError, type OnnxInspection } from './onnx-inspect.js';
import { planOutputs } from './output-plan.js';
import { resolveSignature, type ResolvedFeature } from './signature.js';
import { runSmokeTests } from './smoke-tests.js';

export interface LoadInput {
  identity: VersionIdentity;
  manifest: Manifest;
  /** Verified bytes of every file of the artifact set, by path relative to the main file's folder. */
  files: ReadonlyMap<string, Uint8Array>;
  /** Path of the main .onnx file within `files`. */
  mainPath: string;
  threads: number;
  /** server-wide adaptive batching; the manifest's `batching` overrides it */
  batching?: BatchOptions;
  /** told about every run: requests and rows (metrics) */
  onBatch?: BatchObserver;
}

/**
 * ONNX bytes → a LoadedModel that has passed every check: readable graph, external data present
 * and inside the set, inputs matching the features, outputs decodable, warm-up run, smoke tests.
 * Sessions are built from memory (external data included), so the bytes that were hashed are the
 * bytes that run.
 */
export async function createLoadedModel(input: LoadInput): Promise<LoadedModel> {
  const main = input.files.get(input.mainPath);
  if (!main) throw new AppError('ARTIFACT_INVALID', `the artifact set has no file '${input.mainPath}'`);
  const inspection = inspect(main);
  const externalData = externalDataFor(inspection, input);

  let session: InferenceSession;
  try {
    session = await InferenceSession.create(main, {
      externalData,
      intraOpNumThreads: input.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (err) {
    throw new AppError('ARTIFACT_INVALID', `ONNX Runtime cannot load the model: ${firstLine(err)}`);
  }
  try {
    const signature = resolveSignature(input.manifest.features, session.inputMetadata);
    const validator = compileInstanceValidator(signature.features, signature.plan);
    const probe = await warmUp(session, signature.features, signature.plan);
    const outputs = planOutputs(input.manifest, session.outputMetadata, inspection, probe);
    const labels = outputs.kind === 'classification' ? outputs.labels : undefined;
    const positive = positiveLabel(input.manifest.outputs?.positive_label, labels);
    const global = input.batching ?? DEFAULT_BATCH_OPTIONS;
    const own = input.manifest.batching;
    const batching: BatchOptions = {
      maxRows: own?.max_rows ?? global.maxRows,
      maxWaitMs: own?.max_wait_ms ?? global.maxWaitMs,
    };
    const model = new LoadedModel(
      input.identity,
      signature,
      outputs,
      session,
      validator,
      positive,
      batching,
      input.onBatch,
    );
    await runSmokeTests(model, input.manifest.smoke_tests ?? []);
    return model;
  } catch (err) {
    await session.release();
    throw err;
  }
}

function inspect(bytes: Uint8Array): OnnxInspection {
  try {
    return inspectOnnx(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError)
      throw new AppError('ARTIFACT_INVALID', `not a valid ONNX model: ${err.message}`);
    throw err;
  }
}

function externalDataFor(
  inspection: OnnxInspection,
  input: LoadInput,
): Array<{ path: string; data: Uint8Array }> {
  const used = new Set<string>();
  const list = inspection.externalDataLocations.map((location) => {
    const path = posix.normalize(location);
    if (!isSafeRelativePath(path)) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `the model references external data at '${location}', outside its folder`,
      );
    }
    const data = input.files.get(path);
    if (!data) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `the model needs external data file '${location}', which is not in the artifact set (list it under external_data)`,
      );
    }
    used.add(path);
    return { path: location, data };
  });
  for (const path of input.files.keys()) {
    if (path !== input.mainPath && !used.has(path)) {
      throw new AppError(
        'ARTIFACT_INVALID',
        `file '${path}' is in the artifact set but the model does not reference it`,
      );
    }
  }
  return list;
}

/** One run on a synthetic row: loads lazy kernels before traffic and shows the real output shapes. */
async function warmUp(
  session: InferenceSession,
  features: ResolvedFeature[],
  plan: Parameters<typeof encodeInstances>[0],
): Promise<Record<string, OnnxValue>> {
  const row = Object.fromEntries(features.map((f) => [f.name, syntheticValue(f)]));
  const fetches = session.outputMetadata.filter((m) => m.isTensor).map((m) => m.name);
  try {
    return await session.run(encodeInstances(plan, features, [row]), fetches);
  } catch (err) {
    throw new AppError('ARTIFACT_INVALID', `the model failed its warm-up run: ${firstLine(err)}`);
  }
}

function syntheticValue(f: ResolvedFeature): unknown {
  switch (f.type) {
    case 'boolean':
      return false;
    case 'category':
      return f.values?.[0] ?? 'unknown';
    default: {
      const lo = f.min ?? Math.min(0, f.max ?? 0);
      const hi = f.max ?? Math.max(lo, 0);
      const mid = lo + (hi - lo) / 2;
      return f.type === 'integer' ? Math.round(mid) : mid;
    }
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .slice(0, 500);
}
