import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { discardStaged, stageLocalFile, type StagedFile } from '../../store/blob-store.js';
import { AppError } from '../../shared/errors.js';
import type { RegistryService } from './registry-service.js';
import type { Actor, ModelVersion } from './types.js';
import { parseManifestText, validateManifest } from './validate-manifest.js';

/**
 * Registers a version from a manifest file on this machine: the files it lists are read from
 * beside it. Used by `serve --demo`; remote registration uploads the same files over HTTP.
 */
export async function registerFromManifestFile(
  registry: RegistryService,
  manifestPath: string,
  actor: Actor,
  stagingDir: string,
  maxBytes: number,
): Promise<{ version: ModelVersion; created: boolean }> {
  const raw = parseManifestText(await readFile(manifestPath, 'utf8'));
  const manifest = validateManifest(raw);
  const dir = dirname(manifestPath);
  const paths = [
    manifest.artifact,
    ...(manifest.external_data ?? []),
    ...(manifest.reference_data ? [manifest.reference_data] : []),
  ];
  const files = new Map<string, StagedFile>();
  try {
    for (const p of paths) {
      files.set(
        p,
        await stageLocalFile(join(dir, p), stagingDir, maxBytes, `file '${p}'`).catch(
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT')
              throw new AppError('MANIFEST_INVALID', `file '${p}' listed by ${manifestPath} does not exist`);
            throw err;
          },
        ),
      );
    }
  } catch (err) {
    await discardStaged(files.values());
    throw err;
  }
  return registry.register({ manifest: raw, files, actor });
}
