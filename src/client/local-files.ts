import { openAsBlob } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';

/** What went wrong with a local file, before anything was sent. */
export type LocalErrorCode = 'FILE_NOT_FOUND' | 'FILE_ERROR' | 'MANIFEST_INVALID' | 'INPUT_INVALID';

/**
 * A local file the client was given cannot be used (missing, unreadable, not a manifest). The
 * detail always names the file, and for a YAML or JSON syntax error its line and column.
 */
export class ModelgateLocalError extends Error {
  constructor(
    readonly code: LocalErrorCode,
    readonly detail: string,
    readonly path: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ModelgateLocalError';
  }
}

/** One line for a failed file operation, naming the file (Node's own messages do not always). */
export function fileError(err: unknown, path: string, role?: string): ModelgateLocalError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const what = role ? `${path} (${role})` : path;
  if (code === 'ENOENT') return new ModelgateLocalError('FILE_NOT_FOUND', `${what}: no such file`, path);
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a directory'
          : (code ?? (err as Error)?.message ?? String(err));
  return new ModelgateLocalError('FILE_ERROR', `${what}: ${reason}`, path);
}

/** Reads a local file; a failure names it. */
export async function readLocalFile(path: string, role?: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw fileError(err, path, role);
  }
}

/** A file to upload, checked first: `openAsBlob` alone says "Unable to open file as blob" and no name. */
export async function localBlob(path: string, role?: string): Promise<Blob> {
  try {
    if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    return await openAsBlob(path);
  } catch (err) {
    throw fileError(err, path, role);
  }
}

/** Text that is not UTF-8 text: NUL bytes, or bytes that do not decode. */
function looksBinary(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  return head.includes(0) || head.toString('utf8').includes('\uFFFD');
}

/**
 * Parses YAML (JSON is YAML) read from `path`. A syntax error becomes one line
 * `path:line:column: message`, without the parser's multi-line excerpt.
 */
export function parseYamlText(text: string, path: string, code: LocalErrorCode): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const pos = err.linePos?.[0];
    const message = err.message.split(' at line ')[0]!.split('\n')[0]!;
    throw new ModelgateLocalError(
      code,
      `${path}:${pos ? `${pos.line}:${pos.col}` : '1:1'}: ${message}`,
      path,
    );
  }
}

export interface ManifestUpload {
  /** the model's name, from the manifest */
  name: string;
  /** `manifest` (the text) and one `file` part per listed file, read from beside the manifest */
  form: FormData;
}

/** Reads a manifest (YAML or JSON) and the files it lists (artifact, external and reference data). */
export async function manifestUpload(manifestPath: string): Promise<ManifestUpload> {
  const bytes = await readLocalFile(manifestPath);
  const file = basename(manifestPath);
  if (looksBinary(bytes)) {
    throw new ModelgateLocalError(
      'MANIFEST_INVALID',
      `${manifestPath} is not a manifest (binary content); give the YAML or JSON manifest that lists the model file`,
      manifestPath,
    );
  }
  const text = bytes.toString('utf8');
  const manifest = parseYamlText(text, manifestPath, 'MANIFEST_INVALID') as {
    name?: unknown;
    artifact?: unknown;
    external_data?: unknown;
    reference_data?: unknown;
  } | null;
  if (typeof manifest?.name !== 'string' || typeof manifest.artifact !== 'string') {
    throw new ModelgateLocalError(
      'MANIFEST_INVALID',
      `${manifestPath} must name the model ('name') and its file ('artifact')`,
      manifestPath,
    );
  }
  const form = new FormData();
  form.append('manifest', text);
  const listed: Array<[string, string]> = [[manifest.artifact, 'artifact']];
  if (Array.isArray(manifest.external_data)) {
    for (const p of manifest.external_data) if (typeof p === 'string') listed.push([p, 'external_data']);
  }
  if (typeof manifest.reference_data === 'string') listed.push([manifest.reference_data, 'reference_data']);
  for (const [rel, key] of listed) {
    const path = join(dirname(manifestPath), rel);
    form.append('file', await localBlob(path, `listed as '${key}' in ${file}`), rel);
  }
  return { name: manifest.name, form };
}
