import { createHash } from 'node:crypto';
import type { Multipart } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { parseManifestText } from '../../modules/registry/validate-manifest.js';
import { isSafeRelativePath } from '../../modules/registry/validate-manifest.js';
import { discardStaged, stageStream, type StagedFile } from '../../store/blob-store.js';
import { AppError } from '../../shared/errors.js';
import type { AppServices } from '../app-services.js';
import { beginIdempotent } from '../idempotency.js';
import { versionDetailBody } from '../mappers.js';
import { ModelParams, RegisterResponseSchema, responses } from '../schemas.js';

const MAX_MANIFEST_BYTES = 1_048_576;

/** The upload as the OpenAPI document describes it (multipart parts are read by the handler). */
const RegisterUploadSchema = Type.Object({
  manifest: Type.String({ description: 'The manifest, YAML or JSON (at most 1 MiB)' }),
  file: Type.Array(Type.String({ format: 'binary' }), {
    description:
      'One part per file the manifest lists (artifact, external_data, reference_data), named by its path relative to the manifest',
  }),
});

/**
 * Registration upload: multipart/form-data with one `manifest` field (YAML or JSON) and one
 * `file` part per file the manifest lists, each named by its path relative to the manifest.
 * Files stream to staging while they are hashed; nothing is kept if anything fails.
 */
export const registerRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.post(
    '/v1/models/:name/versions',
    {
      config: { scope: 'admin', idempotent: 'handler', documentedBody: RegisterUploadSchema },
      schema: {
        summary: 'Register a model version (multipart: manifest + files)',
        tags: ['models'],
        consumes: ['multipart/form-data'],
        params: ModelParams,
        response: responses({ 200: RegisterResponseSchema, 201: RegisterResponseSchema }),
      },
    },
    async (req, reply) => {
      if (!req.isMultipart())
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          'send multipart/form-data with a manifest field and the model files',
        );
      const files = new Map<string, StagedFile>();
      let manifestText: string | undefined;
      let handedOver = false;
      try {
        for await (const part of multipartParts(req)) {
          if (part.type === 'file') {
            if (part.fieldname !== 'file')
              throw uploadError(`unexpected file field '${part.fieldname}'; send files as 'file'`);
            const path = part.filename;
            if (!isSafeRelativePath(path))
              throw uploadError(`file name '${path}' must be a plain relative path`);
            if (files.has(path)) throw uploadError(`file '${path}' was sent twice`);
            files.set(
              path,
              await stageStream(
                part.file,
                services.stagingDir,
                services.config.maxArtifactBytes,
                `file '${path}'`,
              ),
            );
          } else if (part.fieldname === 'manifest') {
            manifestText = String(part.value);
            if (Buffer.byteLength(manifestText) > MAX_MANIFEST_BYTES)
              throw uploadError('the manifest is too large');
          } else {
            throw uploadError(`unexpected field '${part.fieldname}'; send 'manifest' and 'file' parts`);
          }
        }
        if (manifestText === undefined) throw uploadError("the 'manifest' field is missing");
        const manifest = parseManifestText(manifestText);
        // the upload is read: now the Idempotency-Key can be checked against what was sent
        const material = [
          createHash('sha256').update(manifestText).digest('hex'),
          ...[...files].map(([name, f]) => `${name}:${f.sha256}`).sort(),
        ].join('\n');
        if (!(await beginIdempotent(req, reply, material))) return reply;
        handedOver = true;
        const { version, created } = await services.registry.register({
          manifest,
          files,
          actor: { id: req.principal?.id ?? 'anonymous' },
          expectedName: req.params.name,
        });
        req.logFields = { model: version.model, version: version.version };
        const aliases = await services.registry.getAliases(version.model);
        return reply
          .code(created ? 201 : 200)
          .send({ created, version: versionDetailBody(version, aliases, false) });
      } finally {
        if (!handedOver) await discardStaged(files.values());
      }
    },
  );
};

/**
 * The request's parts; a body that is not well-formed multipart (busboy's plain Errors) is the
 * client's mistake, answered 400, not an internal error.
 */
async function* multipartParts(req: FastifyRequest): AsyncGenerator<Multipart> {
  const parts = req.parts();
  while (true) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (err instanceof AppError || (typeof code === 'string' && code.startsWith('FST_'))) throw err;
      throw new AppError(
        'MALFORMED_REQUEST',
        `the multipart body is malformed: ${String((err as Error).message).slice(0, 100)}`,
      );
    }
    if (next.done) return;
    yield next.value;
  }
}

function uploadError(detail: string): AppError {
  return new AppError('MANIFEST_INVALID', detail);
}
